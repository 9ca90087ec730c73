# sshd takes the FIRST value of a keyword, and Debian-style configs Include sshd_config.d at
# the top, so our block goes at the very top of sshd_config: nothing later can override it.
cfg=/etc/ssh/sshd_config
[ -f "$cfg" ] || { echo "no $cfg: nothing to harden"; exit 0; }
block=$(mktemp)
{
  echo "# BEGIN packer-plugin-sanitize (first value wins: keep this block at the top)"
  echo "PasswordAuthentication no"
  echo "PermitRootLogin prohibit-password"
  echo "PermitEmptyPasswords no"
  if [ "${SANITIZE_SSHD_USE_DNS_NO:-}" = 1 ]; then echo "UseDNS no"; fi
  echo "# END packer-plugin-sanitize"
} >"$block"
rest=$(mktemp)
sed '/^# BEGIN packer-plugin-sanitize/,/^# END packer-plugin-sanitize/d' "$cfg" >"$rest"
new=$(mktemp)
cat "$block" "$rest" >"$new"
rm -f "$block" "$rest"
if cmp -s "$new" "$cfg"; then rm -f "$new"; exit 0; fi
backup=$(mktemp)
cp -p "$cfg" "$backup"
cat "$new" >"$cfg"    # in place: keeps owner, mode and any hard links
rm -f "$new"
if command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ]; then
  # sshd -t needs a host key; the real ones may already be gone, so lend it a throwaway one
  keydir=$(mktemp -d)
  ssh-keygen -q -t ed25519 -N '' -f "$keydir/k" >/dev/null
  if ! out=$(PATH=$PATH:/usr/sbin sshd -t -f "$cfg" -h "$keydir/k" 2>&1); then
    cat "$backup" >"$cfg"
    rm -rf "$keydir" "$backup"
    echo "sshd -t rejected the hardened config, restored the original: $out" >&2
    exit 1
  fi
  rm -rf "$keydir"
fi
rm -f "$backup"
did "hardened $cfg (password and root password logins off)"
