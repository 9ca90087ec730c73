keep=" ${SANITIZE_KEEP_PASSWORDS:-} "
awk -F: '$2 !~ /^[!*]/ {print $1}' /etc/shadow | while IFS= read -r user; do
  case $keep in *" $user "*) continue ;; esac
  # usermod -L prefixes "!"; an empty hash becomes "!", which sshd and login refuse too
  usermod -L "$user"
  did "locked the password of $user"
done
if [ -f /etc/gshadow ]; then
  awk -F: '$2 != "" && $2 !~ /^[!*]/ {print $1}' /etc/gshadow | while IFS= read -r group; do
    gpasswd -r "$group" >/dev/null
    did "removed the password of group $group"
  done
fi
