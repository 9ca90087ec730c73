# An empty /etc/machine-id makes systemd generate a new one at first boot.
if [ -s /etc/machine-id ]; then
  : >/etc/machine-id
  did "emptied /etc/machine-id"
fi
if [ -f /var/lib/dbus/machine-id ] && [ ! -L /var/lib/dbus/machine-id ]; then
  rm -f /var/lib/dbus/machine-id
  ln -s /etc/machine-id /var/lib/dbus/machine-id
  did "pointed /var/lib/dbus/machine-id at /etc/machine-id"
fi
