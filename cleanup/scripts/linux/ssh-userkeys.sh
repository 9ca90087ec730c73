accounts | while IFS=: read -r user home; do
  [ -d "$home/.ssh" ] && [ ! -L "$home/.ssh" ] || continue
  for f in "$home"/.ssh/* "$home"/.ssh/.[!.]*; do
    [ -f "$f" ] && [ ! -L "$f" ] || continue
    case ${f##*/} in *.pub | authorized_keys* | known_hosts* | config) continue ;; esac
    if head -c 65536 "$f" | grep -q -- '-----BEGIN .*PRIVATE KEY-----'; then
      remove_file "$f"
      did "removed private key $f"
    fi
  done
done
