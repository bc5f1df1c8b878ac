// The apt-get command setup.mjs runs, as an argv. Under sudo, DEBIAN_FRONTEND is set
// with `env` inside sudo: sudo's env_reset drops the caller's environment, and apt
// would otherwise try to ask questions on a runner with no terminal.
/**
 * @param {string[]} packages
 * @param {{ root: boolean, aptCache?: string }} how
 * @returns {string[]}
 */
export function aptInstallArgv(packages, { root, aptCache }) {
  const keep = aptCache ? ` -o Dir::Cache::Archives=${aptCache} -o APT::Keep-Downloaded-Packages=true` : "";
  const script = `apt-get update && apt-get install -y --no-install-recommends${keep} ${packages.join(" ")}`;
  const inner = ["env", "DEBIAN_FRONTEND=noninteractive", "sh", "-c", script];
  return root ? inner : ["sudo", "-n", ...inner];
}
