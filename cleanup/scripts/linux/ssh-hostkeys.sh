for f in /etc/ssh/ssh_host_*key /etc/ssh/ssh_host_*key.pub /etc/ssh/ssh_host_*key-cert.pub; do
  if [ -e "$f" ] || [ -L "$f" ]; then
    remove_file "$f"
    did "removed $f"
  fi
done
# Without host keys sshd will not start. cloud-init regenerates them on first boot; on a
# systemd guest without it, a one-shot unit does (ssh-keygen -A creates only missing keys).
unit=/etc/systemd/system/sanitize-ssh-hostkeys.service
if [ -d /etc/systemd/system ] && ! command -v cloud-init >/dev/null 2>&1 && [ ! -f "$unit" ]; then
  cat >"$unit" <<'UNIT'
[Unit]
Description=Regenerate the SSH host keys removed by packer-plugin-sanitize
Before=ssh.service sshd.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
UNIT
  mkdir -p /etc/systemd/system/multi-user.target.wants
  ln -sf ../sanitize-ssh-hostkeys.service /etc/systemd/system/multi-user.target.wants/
  did "installed $unit to regenerate host keys at first boot"
fi
