#!/usr/bin/env bash
# Builds a Linux soak guest from Debian's packages: the stock 6.1 kernel (bzImage),
# its vmlinux with debug symbols, and an initramfs of busybox-static, server.c,
# crashme.ko (built against Debian's headers) and Debian's nginx with its libraries. Everything downloaded or built goes
# to the cache folder, outside the repository; nothing is installed on the system.
#
#   scripts/linux-guest/build.sh            # prints the paths it made, one NAME=PATH a line
#   scripts/linux-guest/build.sh --no-symbols   # skips the 860 MB -dbg package (no SYMBOLS=):
#                                               # enough to serve, as the bench does
#   LINUX_GUEST_CACHE=/some/dir KVER=6.1.0-57-amd64 scripts/linux-guest/build.sh
#
# Needs apt-get (Debian or Ubuntu with Debian's archive), dpkg-deb, gcc-12, make, cpio, gzip.
set -euo pipefail
symbols=1
[[ ${1:-} == --no-symbols ]] && symbols=0
here=$(cd "$(dirname "$0")" && pwd)
cache=${LINUX_GUEST_CACHE:-$HOME/.cache/unikernel-soak/linux-guest}
# The kernel Debian's linux-image-amd64 points at, unless KVER names one.
kver=${KVER:-$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{sub("linux-image-", "", $2); print $2; exit}')}
[[ $kver =~ ^6\.1\.0-[0-9]+-amd64$ ]] || {
  echo "build.sh: expected a Debian 6.1 amd64 kernel ABI like 6.1.0-57-amd64, got '$kver' (set KVER, or run apt-get update)" >&2
  exit 2
}
abi=${kver%-amd64}
debs=$cache/debs root=$cache/root-$kver
mkdir -p "$debs" "$root"
log() { echo "build.sh: $*" >&2; }
# One build at a time per cache folder (the tests build it side by side); a guest that booted
# from the previous initramfs is not disturbed: the new one is renamed into place.
exec 9>"$cache/.lock"
flock 9

# Debian's own servers beside server.c (init's soak_server=): busybox httpd is in
# busybox-static; nginx comes with the shared libraries it needs, from the same archive
server_packages=(nginx libc6 libcrypt1 libpcre2-8-0 libssl3 zlib1g)
packages=(linux-image-"$kver" linux-headers-"$kver" linux-headers-"$abi"-common linux-kbuild-6.1 busybox-static)
packages+=("${server_packages[@]}")
((symbols)) && packages+=(linux-image-"$kver"-dbg)
for p in "${packages[@]}"; do
  compgen -G "$debs/${p}_*.deb" >/dev/null && continue
  log "downloading $p$([[ $p == *-dbg ]] && echo ' (about 860 MB)')"
  (cd "$debs" && apt-get download -q "$p")
done

vmlinuz=$root/boot/vmlinuz-$kver
vmlinux=$root/usr/lib/debug/boot/vmlinux-$kver
if [[ ! -f $vmlinuz ]]; then
  for p in linux-image-"$kver" linux-headers-"$kver" linux-headers-"$abi"-common linux-kbuild-6.1 busybox-static; do
    dpkg-deb -x "$(compgen -G "$debs/${p}_*.deb" | head -1)" "$root"
  done
  # The headers include their common half by an absolute path; point it at this copy.
  sed -i "s#^include /usr/src/#include $root/usr/src/#" "$root/usr/src/linux-headers-$kver/Makefile"
fi
if ((symbols)) && [[ ! -f $vmlinux ]]; then
  log "extracting vmlinux from the -dbg package (about a minute)"
  dpkg-deb --fsys-tarfile "$(compgen -G "$debs/linux-image-${kver}-dbg_*.deb" | head -1)" |
    tar -x -C "$root" "./usr/lib/debug/boot/vmlinux-$kver"
fi

servers=$cache/servers
if [[ ! -x $servers/usr/sbin/nginx ]]; then
  for p in "${server_packages[@]}"; do dpkg-deb -x "$(compgen -G "$debs/${p}_*.deb" | head -1)" "$servers"; done
fi

build=$cache/build-$kver
rm -rf "$build" && mkdir -p "$build/crashme" "$build/initramfs"/{bin,lib/modules,proc,sys,dev}
gcc -static -O2 -Wall -Wextra -Werror -o "$build/initramfs/bin/server" "$here/server.c"
cp "$here/crashme/crashme.c" "$here/crashme/Kbuild" "$build/crashme/"
make -s -C "$root/usr/src/linux-headers-$kver" M="$build/crashme" modules >"$build/crashme.log" 2>&1 || {
  cat "$build/crashme.log" >&2
  exit 1
}

ird=$build/initramfs
cp "$root/bin/busybox" "$ird/bin/busybox"
cp "$here/init" "$ird/init"
cp "$here/udhcpc.script" "$ird/bin/udhcpc.script"
cp "$build/crashme/crashme.ko" "$ird/lib/crashme.ko"
for m in virtio_ring virtio virtio_mmio failover net_failover virtio_net; do
  cp "$(find "$root/lib/modules/$kver" -name "$m.ko" | head -1)" "$ird/lib/modules/"
done
# nginx, its configuration and the shared libraries it loads (and they load), from Debian's packages
mkdir -p "$ird"/{usr/sbin,etc/nginx,lib64,lib/x86_64-linux-gnu,run,tmp,var/log/nginx}
cp "$servers/usr/sbin/nginx" "$ird/usr/sbin/nginx"
cp "$here/nginx.conf" "$ird/etc/nginx/nginx.conf"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$ird/etc/passwd"
printf 'root:x:0:\n' >"$ird/etc/group"
cp -R "$here/www" "$ird/www"
cp "$(find "$servers" -name ld-linux-x86-64.so.2 -type f | head -1)" "$ird/lib64/"
needed=(nginx)
while ((${#needed[@]})); do
  file=${needed[0]} needed=("${needed[@]:1}")
  from=$ird/usr/sbin/$file
  [[ $file == nginx ]] || from=$ird/lib/x86_64-linux-gnu/$file
  for lib in $(objdump -p "$from" | awk '$1 == "NEEDED" {print $2}'); do
    # (the loader is in /lib64 already; a package's absolute link would lead out to the host's files)
    [[ $lib == ld-linux-x86-64.so.2 || -f $ird/lib/x86_64-linux-gnu/$lib ]] && continue
    found=$(find "$servers" -name "$lib" -type f | head -1)
    [[ -n $found ]] || found=$(find "$servers" -name "$lib" -type l -lname "[!/]*" | head -1)
    [[ -n $found ]] || { echo "build.sh: nginx needs $lib, in none of ${server_packages[*]}" >&2; exit 1; }
    cp -L "$found" "$ird/lib/x86_64-linux-gnu/$lib"
    needed+=("$lib")
  done
done

initrd=$cache/initramfs-$kver.cpio.gz
(cd "$ird" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9) >"$initrd.tmp"
mv -f "$initrd.tmp" "$initrd"
log "initramfs $(du -h "$initrd" | cut -f1) from busybox-static, server.c, crashme.ko and nginx"

echo "KERNEL=$vmlinuz"
((symbols)) && echo "SYMBOLS=$vmlinux"
echo "INITRD=$initrd"
