for f in /etc/passwd- /etc/shadow- /etc/group- /etc/gshadow-; do
  if [ -e "$f" ] || [ -L "$f" ]; then
    remove_file "$f"
    did "removed $f"
  fi
done
