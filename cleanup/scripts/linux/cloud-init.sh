if command -v cloud-init >/dev/null 2>&1; then
  if [ -d /var/lib/cloud/instances ] || [ -e /var/lib/cloud/instance ] || ls /var/log/cloud-init*.log >/dev/null 2>&1; then
    cloud-init clean --logs >/dev/null
    did "cloud-init clean --logs"
  fi
  exit 0
fi
for p in /var/lib/cloud/instance /var/lib/cloud/instances /var/lib/cloud/data /var/lib/cloud/sem; do
  if [ -e "$p" ] || [ -L "$p" ]; then
    rm -rf -- "$p"
    did "removed $p"
  fi
done
