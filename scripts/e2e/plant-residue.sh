#!/bin/bash
# plant-residue.sh ROOTFS: leave in a rootfs the credentials an image build typically leaves
# behind, so that the provisioner has something to remove and the tests something to
# look for. Every value is fake but shaped like the real thing (valid keys, hashes, key IDs).
# The e2e tests assert each of these from the host side after the build.
set -euo pipefail
R=${1:?usage: plant-residue.sh ROOTFS}
in_root() { chroot "$R" /bin/sh -ec "$1"; }
keyfile() { rm -f "$1" "$1.pub"; ssh-keygen -q -t ed25519 -N '' -C "$2" -f "$1"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# accounts: one with a home outside /home, one with an empty password, one with a symlink
in_root '
  id deploy >/dev/null 2>&1 || useradd -m -d /srv/deploy -s /bin/bash deploy
  id legacy >/dev/null 2>&1 || useradd -m -s /bin/sh legacy
  id linky  >/dev/null 2>&1 || useradd -m -s /bin/sh linky
  echo "root:Residue-Root-Pass1" | chpasswd
  echo "deploy:Residue-Deploy-Pass1" | chpasswd
  usermod -p "" legacy
  cp -p /etc/shadow /etc/shadow-; cp -p /etc/passwd /etc/passwd-; cp -p /etc/gshadow /etc/gshadow-
  ssh-keygen -A >/dev/null
'
# authorized_keys in several homes, an AuthorizedKeysFile outside homes, a symlinked one
keyfile "$tmp/builder" builder@ci; keyfile "$tmp/ops" ops@example.com
install -d -m 700 "$R/root/.ssh" "$R/srv/deploy/.ssh" "$R/home/linky/.ssh" "$R/etc/ssh/authorized_keys"
cat "$tmp/builder.pub" >"$R/root/.ssh/authorized_keys"
cat "$tmp/ops.pub" >>"$R/root/.ssh/authorized_keys"
cat "$tmp/ops.pub" >"$R/srv/deploy/.ssh/authorized_keys2"
cat "$tmp/builder.pub" >"$R/etc/ssh/authorized_keys/deploy"
cat "$tmp/ops.pub" >"$R/etc/ssh/shared_keys"
ln -sf /etc/ssh/shared_keys "$R/home/linky/.ssh/authorized_keys"
# a user private key, shell and REPL histories with secrets typed at the prompt
cp "$tmp/ops" "$R/srv/deploy/.ssh/id_ed25519"
printf 'export AWS_SECRET_ACCESS_KEY=Qm9ndXNTZWNyZXRLZXlGb3JUZXN0aW5nT25seTEy\nmysql -uroot -pResidue-Db-Pass1\n' >"$R/root/.bash_history"
printf 'git clone https://ci:Residue-Git-Pass1@git.example.com/app.git\n' >"$R/home/packer/.bash_history"
printf 'import os\nos.environ["TOKEN"]="residue"\n' >"$R/root/.python_history"
printf 'SELECT 1;\n' >"$R/srv/deploy/.psql_history"
# cloud and tool credentials
install -d -m 700 "$R/srv/deploy/.aws" "$R/home/packer/.aliyun" "$R/root/.docker"
printf '[default]\naws_access_key_id = AKIA2OGYBAH6QRESIDUE\naws_secret_access_key = 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\n' >"$R/srv/deploy/.aws/credentials"
printf '{"profiles":[{"name":"default","mode":"AK","access_key_id":"LTAI5tResidueKey0001","access_key_secret":"ResidueSecretResidueSecret01"}]}\n' >"$R/home/packer/.aliyun/config.json"
printf 'https://ci:Residue-Git-Pass1@git.example.com\n' >"$R/root/.git-credentials"
printf '{"auths":{"registry.example.com":{"auth":"Y2k6UmVzaWR1ZS1SZWdpc3RyeS1QYXNzMQ=="}}}\n' >"$R/root/.docker/config.json"
# sshd: a drop-in that turns password logins back on (Debian includes sshd_config.d first)
printf 'PasswordAuthentication yes\nPermitRootLogin yes\n' >"$R/etc/ssh/sshd_config.d/50-cloud-init.conf"
printf 'AuthorizedKeysFile .ssh/authorized_keys .ssh/authorized_keys2 /etc/ssh/authorized_keys/%%u\n' >>"$R/etc/ssh/sshd_config"
# Packer's leftovers, temp files, logs, cloud-init data, machine id, package cache
printf '#!/bin/sh\nexport DB_PASSWORD=Residue-Db-Pass1\n' >"$R/tmp/script_4242.sh"
printf 'export PACKER_BUILD_NAME=x\n' >"$R/tmp/packer-shell-env-vars-1.sh"
echo scratch >"$R/var/tmp/build-scratch.txt"
echo 'sshd[1]: Accepted publickey for packer' >"$R/var/log/auth.log"
echo 'old' | gzip >"$R/var/log/syslog.2.gz"
head -c 384 /dev/urandom >"$R/var/log/wtmp"
mkdir -p "$R/var/lib/cloud/instances/i-0residue"
printf '#cloud-config\nchpasswd:\n  list: |\n    root:Residue-Cloud-Pass1\n' >"$R/var/lib/cloud/instances/i-0residue/user-data.txt"
ln -sfn /var/lib/cloud/instances/i-0residue "$R/var/lib/cloud/instance"
echo 0123456789abcdef0123456789abcdef >"$R/etc/machine-id"
mkdir -p "$R/var/cache/apt/archives"; echo fake >"$R/var/cache/apt/archives/residue_1.0_amd64.deb"
echo "planted residue in $R"
