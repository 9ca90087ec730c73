hash=$(awk -F: '$1 == "root" {print $2}' /etc/shadow)
case $hash in
'!'* | '*'*) ;;
*)
  passwd -l root >/dev/null
  did "locked root's password"
  ;;
esac
