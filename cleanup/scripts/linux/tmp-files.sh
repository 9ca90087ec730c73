for dir in /tmp /var/tmp; do
  [ -d "$dir" ] && [ ! -L "$dir" ] || continue
  # systemd private dirs and the X11/ICE socket dirs belong to running services
  n=$(find "$dir" -mindepth 1 -maxdepth 1 ! -name 'systemd-private-*' ! -name '.*-unix' | wc -l)
  if [ "$n" -gt 0 ]; then
    find "$dir" -mindepth 1 -maxdepth 1 ! -name 'systemd-private-*' ! -name '.*-unix' -exec rm -rf -- {} +
    did "removed $n entries from $dir"
  fi
done
