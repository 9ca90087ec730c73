user=${SANITIZE_BUILD_USER:-}
if [ -z "$user" ] || [ "$user" = root ]; then
  echo "no build user to remove (ssh_username is empty or root)"
  exit 0
fi
if ! id "$user" >/dev/null 2>&1; then exit 0; fi
for f in /etc/sudoers.d/*; do
  if [ -f "$f" ] && grep -qE "^[[:space:]]*$user[[:space:]]" "$f"; then
    rm -f -- "$f"
    did "removed $f"
  fi
done
# -f: the account still runs this Packer session
userdel -f -r "$user" 2>/dev/null || userdel -f "$user"
did "deleted account $user and its home"
