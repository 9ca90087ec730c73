for dir in /tmp /var/tmp; do
  [ -d "$dir" ] && [ ! -L "$dir" ] || continue
  # systemd private dirs and the X11/ICE socket dirs belong to running services; the
  # runner's own work dir goes when the script ends
  n=$(find "$dir" -mindepth 1 -maxdepth 1 ! -name 'systemd-private-*' ! -name '.*-unix' ! -path "$SANITIZE_WORK" | wc -l)
  if [ "$n" -gt 0 ]; then
    find "$dir" -mindepth 1 -maxdepth 1 ! -name 'systemd-private-*' ! -name '.*-unix' ! -path "$SANITIZE_WORK" -exec rm -rf -- {} +
    did "removed $n entries from $dir"
  fi
done
