if command -v apt-get >/dev/null 2>&1; then
  n=$(find /var/cache/apt -name '*.deb' -type f 2>/dev/null | wc -l)
  if [ "$n" -gt 0 ] || [ -n "$(find /var/cache/apt -maxdepth 1 -name '*.bin' 2>/dev/null)" ]; then
    apt-get clean
    did "apt-get clean ($n packages)"
  fi
fi
for pm in dnf yum; do
  if command -v $pm >/dev/null 2>&1 && [ -d /var/cache/$pm ] && [ -n "$(ls -A /var/cache/$pm 2>/dev/null)" ]; then
    $pm clean all >/dev/null
    did "$pm clean all"
  fi
done
if command -v zypper >/dev/null 2>&1 && [ -n "$(ls -A /var/cache/zypp 2>/dev/null)" ]; then
  zypper --non-interactive clean --all >/dev/null
  did "zypper clean --all"
fi
