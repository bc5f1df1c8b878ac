// The guest's counters (/api/stats.json, or whatever --stats-path serves) over time:
// tx_stalls growth, a reset (boot_id changes or uptime goes backwards), and pages
// that are not given back once the load has stopped.
import { churnWorkers, type SoakOptions } from "../options.ts";
import type { Finding } from "../verdict.ts";
import { GuestClock } from "./guest-clock.ts";
import type { ProbeResult } from "./http-probe.ts";
import { type GuestStats, readStats } from "./stats-answer.ts";

export type { GuestStats };

/** samples over which the fewest pages in use are taken (guest-stats' growth check) */
const ENVELOPE = 3;

export class StatsWatcher {
  first?: GuestStats;
  /** when `first` was read (ms since the epoch): the load's start, for the counters' baseline */
  firstAt?: number;
  /** the first time an answer went beyond the limits on counters (stats-answer.ts), what was dropped */
  overLimits?: string;
  last?: GuestStats;
  /** when `last` was read (ms since the epoch) */
  lastAt?: number;
  /** the guest's uptime counter against the wall clock */
  readonly clock = new GuestClock();
  /** the first sample after the warm-up: the reference for page growth under load */
  warm?: GuestStats;
  /** the fewest pages in use over the first ENVELOPE samples after the warm-up, and over the last ENVELOPE */
  private warmLow?: number;
  private readonly recentPages: number[] = [];
  private perConnection = 1;
  private loadStartedAt?: number;
  private stallFindingSent = false;
  private leakFindingSent = false;

  constructor(private readonly o: SoakOptions) {}

  startLoad(at: number): void {
    this.loadStartedAt = at;
  }

  /** The counters in an answer to the stats path, within the limits; throws StatsAnswerError. */
  read(answer: ProbeResult): GuestStats {
    const r = readStats(answer, this.o.statsPath, Object.values(this.o.counters));
    this.overLimits ??= r.overLimits;
    return r.stats;
  }

  /** Takes a new sample; returns what is wrong with it, if anything. */
  check(s: GuestStats, at: number): Finding[] {
    const c = this.o.counters;
    const findings: Finding[] = [];
    const prev = this.last;
    if (!this.first) [this.first, this.firstAt] = [s, at];
    this.last = s;
    this.lastAt = at;
    this.clock.add(at, s[c.uptime]);
    if (prev) {
      if (s[c.bootId] !== undefined && s[c.bootId] !== prev[c.bootId]) {
        findings.push({
          kind: "reset",
          at,
          message: `the guest rebooted: ${c.bootId} changed from ${prev[c.bootId]} to ${s[c.bootId]}`,
          evidence: { before: prev[c.bootId], after: s[c.bootId] },
        });
      } else if (s[c.uptime] !== undefined && s[c.uptime] < prev[c.uptime]) {
        findings.push({
          kind: "reset",
          at,
          message: `the guest's ${c.uptime} went backwards: ${prev[c.uptime]} -> ${s[c.uptime]}`,
          evidence: { before: prev[c.uptime], after: s[c.uptime] },
        });
      }
    }
    const first = this.first;
    const grown = (s[c.txStalls] ?? 0) - (first[c.txStalls] ?? 0);
    if (grown > this.o.txStallBudget && !this.stallFindingSent) {
      this.stallFindingSent = true;
      findings.push({
        kind: "tx-stall",
        at,
        message: `${c.txStalls} grew by ${grown} (from ${first[c.txStalls] ?? 0} to ${s[c.txStalls]}; budget ${this.o.txStallBudget})`,
        evidence: { first: first[c.txStalls] ?? 0, now: s[c.txStalls] },
      });
    }
    findings.push(...this.checkGrowth(s, at));
    return findings;
  }

  /**
   * Under load, after the warm-up: pages that grow while no more connections are open = a leak.
   * Compared as the fewest pages in use over ENVELOPE samples, with room for one connection per
   * churn worker: a connection in its handshake holds pages without being counted open (a
   * moment, where a leak holds them for good).
   */
  private checkGrowth(s: GuestStats, at: number): Finding[] {
    const c = this.o.counters;
    if (this.loadStartedAt === undefined || s[c.pagesUsed] === undefined) return [];
    const warming = at - this.loadStartedAt < this.o.warmupS * 1000;
    if (warming || !this.warm) this.learnPagesPerConnection(s);
    if (warming) return [];
    this.warm ??= s;
    this.recentPages.push(s[c.pagesUsed]);
    if (this.recentPages.length > ENVELOPE) this.recentPages.shift();
    if (this.recentPages.length < ENVELOPE) return [];
    const low = Math.min(...this.recentPages);
    this.warmLow ??= low;
    const grown = low - this.warmLow;
    const allowed = this.o.pageGrowth + Math.ceil(this.perConnection * churnWorkers(this.o));
    if (this.leakFindingSent || grown <= allowed || (s[c.tcpOpen] ?? 0) > (this.warm[c.tcpOpen] ?? 0)) return [];
    this.leakFindingSent = true;
    return [
      {
        kind: "leak",
        at,
        message: `${c.pagesUsed} grew by ${grown} pages under load after the warm-up (the fewest in use over ${ENVELOPE} samples: ${this.warmLow} -> ${low}) with no more connections open (${c.tcpOpen} ${s[c.tcpOpen]}); budget ${allowed}`,
        evidence: { warm: this.warmLow, now: low, tcpOpen: s[c.tcpOpen] },
      },
    ];
  }

  /** Pages one open connection holds: the most any sample of the warm-up showed (at least 1). */
  private learnPagesPerConnection(s: GuestStats): void {
    const c = this.o.counters;
    const opened = (s[c.tcpOpen] ?? 0) - (this.first?.[c.tcpOpen] ?? 0);
    const taken = s[c.pagesUsed] - (this.first?.[c.pagesUsed] ?? 0);
    if (opened > 0 && taken > 0) this.perConnection = Math.max(this.perConnection, taken / opened);
  }

  /** After the load, with connections closed: pages still held beyond the start = a leak. */
  checkSettled(settled: GuestStats, at: number): Finding[] {
    const c = this.o.counters;
    const first = this.first;
    if (!first || first[c.pagesUsed] === undefined || settled[c.pagesUsed] === undefined) return [];
    const grown = settled[c.pagesUsed] - first[c.pagesUsed];
    if (grown <= this.o.pageGrowth) return [];
    return [
      {
        kind: "leak",
        at,
        message: `${c.pagesUsed} grew by ${grown} pages over the soak (${first[c.pagesUsed]} -> ${settled[c.pagesUsed]} with the load stopped; budget ${this.o.pageGrowth})`,
        evidence: { first: first[c.pagesUsed], settled: settled[c.pagesUsed], tcpOpen: settled[c.tcpOpen] },
      },
    ];
  }
}
