package imagetest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"testing"

	"golang.org/x/crypto/ssh"
)

// Planted lists the residue Rootfs(dirty=true) holds, by path inside the image, with the
// check that must name it.
var Planted = []struct{ Path, Check string }{
	{"/etc/ssh/ssh_host_ed25519_key", "ssh-host-keys"},
	{"/root/.ssh/authorized_keys", "authorized-keys"},
	{"/home/admin/.ssh/authorized_keys", "authorized-keys"}, // a symlink to /etc/ssh/keys/admin
	{"/etc/shadow", "password-hashes"},
	{"/root/.bash_history", "shell-history"},
	{"/opt/app/config.env", "content-scan"},
}

// PlantedAWSKey is the access key ID planted in /opt/app/config.env: not AWS's documented
// example, so the content scan must report it (redacted).
const PlantedAWSKey = "AKIA2OGYBAH6QRESIDUX"

// Rootfs returns a small Linux root filesystem: with dirty set it holds the Planted
// residue, else it is the clean twin that every default check passes.
func Rootfs(t testing.TB, dirty bool) map[string]File {
	t.Helper()
	hostPub, hostKey := newKey(t, "root@build-host")
	userPub, _ := newKey(t, "builder@ci")
	files := map[string]File{
		"etc/passwd": {Data: "root:x:0:0:root:/root:/bin/bash\n" +
			"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" +
			"admin:x:1000:1000:Admin:/home/admin:/bin/bash\n"},
		"etc/group":                        {Data: "root:x:0:\ndaemon:x:1:\nadmin:x:1000:\n"},
		"etc/gshadow":                      {Data: "root:*::\ndaemon:*::\nadmin:!::\n", Mode: 0o640},
		"etc/hostname":                     {Data: "golden\n"},
		"etc/machine-id":                   {Data: ""},
		"etc/ssh/sshd_config":              {Data: "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\nPermitRootLogin prohibit-password\n"},
		"etc/ssh/sshd_config.d":            {Dir: true},
		"etc/ssh/ssh_host_ed25519_key.pub": {Data: hostPub},
		"etc/ssh/keys":                     {Dir: true},
		"root/.ssh":                        {Dir: true, Mode: 0o700},
		"home/admin/.ssh":                  {Dir: true, Mode: 0o700},
		"home/admin/.bashrc":               {Data: "alias ll='ls -l'\n"},
		"opt/app/config.env":               {Data: "APP_MODE=production\nAWS_REGION=eu-west-1\n# AKIAIOSFODNN7EXAMPLE is AWS's documented example, not a secret\n"},
		"var/log":                          {Dir: true},
		"tmp":                              {Dir: true, Mode: 0o1777},
		"usr/share/doc/README":             {Data: "nothing to see\n"},
	}
	if !dirty {
		files["etc/shadow"] = File{Data: "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nadmin:!:19000:0:99999:7:::\n", Mode: 0o640}
		return files
	}
	files["etc/shadow"] = File{Data: "root:$6$rounds=5000$saltsalt$3oRT0MvOCXM1nRA1SWdHqv1ZJxVGrsjm8jrJwGqAqL2hWg1lR1yBJ/8KRXIsgk2z.bNWFBgMVxERVLDNJa3Ad/:19000:0:99999:7:::\n" +
		"daemon:*:19000:0:99999:7:::\nadmin:!:19000:0:99999:7:::\n", Mode: 0o640}
	files["etc/ssh/ssh_host_ed25519_key"] = File{Data: hostKey, Mode: 0o600}
	files["root/.ssh/authorized_keys"] = File{Data: userPub, Mode: 0o600}
	files["etc/ssh/keys/admin"] = File{Data: userPub}
	files["home/admin/.ssh/authorized_keys"] = File{Link: "/etc/ssh/keys/admin"}
	files["root/.bash_history"] = File{Data: "apt-get update\nmysql -u root -p\n", Mode: 0o600}
	files["opt/app/config.env"] = File{Data: files["opt/app/config.env"].Data + "AWS_ACCESS_KEY_ID=" + PlantedAWSKey + "\n"}
	return files
}

// newKey returns an ed25519 key pair as an authorized_keys line and an OpenSSH PEM.
func newKey(t testing.TB, comment string) (pub, private string) {
	t.Helper()
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(sk, comment)
	if err != nil {
		t.Fatal(err)
	}
	line := string(ssh.MarshalAuthorizedKey(sshPub))
	return line[:len(line)-1] + " " + comment + "\n", string(pem.EncodeToMemory(block))
}
