// The part of QEMU's command line the stand-in needs, as soak/vm/qemu.ts builds it:
// where serial goes, the loopback ports forwarded to the guest, the QMP and gdb sockets.

/** Splits a QEMU option list ("file,id=x,path=a,,b") into its items; ",," is a literal comma. */
export function optionList(value) {
  const items = [];
  let item = "";
  for (let i = 0; i < value.length; i++) {
    if (value[i] === "," && value[i + 1] === ",") {
      item += ",";
      i++;
    } else if (value[i] === ",") {
      items.push(item);
      item = "";
    } else item += value[i];
  }
  items.push(item);
  return items;
}

/** { serialPath, forwards: [{ hostPort, guestPort }], qmpPath, gdbPath, kernel, append } from QEMU's argv. */
export function parseQemuArgv(argv) {
  const vm = {
    serialPath: undefined,
    forwards: [],
    qmpPath: undefined,
    gdbPath: undefined,
    kernel: undefined,
    append: "",
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ""];
    if (flag === "-chardev") {
      const items = optionList(value);
      const path = items.find((x) => x.startsWith("path="))?.slice("path=".length);
      if (items.includes("id=serial0")) vm.serialPath = path;
      if (items.includes("id=gdb0")) vm.gdbPath = path;
    } else if (flag === "-netdev") {
      for (const item of optionList(value)) {
        const m = /^hostfwd=tcp:127\.0\.0\.1:(\d+)-:(\d+)$/.exec(item);
        if (m) vm.forwards.push({ hostPort: Number(m[1]), guestPort: Number(m[2]) });
      }
    } else if (flag === "-qmp") {
      const [where] = optionList(value);
      if (where.startsWith("unix:")) vm.qmpPath = where.slice("unix:".length);
    } else if (flag === "-kernel") vm.kernel = value;
    else if (flag === "-append") vm.append = value;
  }
  if (!vm.serialPath || !vm.qmpPath)
    throw new Error(`stand-in VMM: no -chardev file path or -qmp unix socket in ${JSON.stringify(argv)}`);
  return vm;
}
