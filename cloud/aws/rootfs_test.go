package aws_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// benchRootfs is a deterministic Linux root tree shaped like a small server image:
// ~10k files, ~250 MiB, with the directories the path checks read (etc, homes, var/log,
// var/lib/cloud, tmp) among binaries, libraries and docs they do not read, so the
// metadata they need is spread over the volume as in a real image.
func benchRootfs() map[string]string {
	rng := rand.New(rand.NewPCG(42, 7))
	blob := func(min, max int) string {
		b := make([]byte, min+rng.IntN(max-min+1))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return string(b)
	}
	text := func(lines int) string {
		var sb strings.Builder
		for i := range lines {
			fmt.Fprintf(&sb, "setting_%d = value-%d # %x\n", i, rng.IntN(1000), rng.Uint64())
		}
		return sb.String()
	}
	files := map[string]string{}
	passwd := "root:x:0:0:root:/root:/bin/bash\n"
	shadow := "root:*:20000:0:99999:7:::\n"
	for i := range 20 {
		passwd += fmt.Sprintf("svc%d:x:%d:%d::/var/lib/svc%d:/usr/sbin/nologin\n", i, 100+i, 100+i, i)
		shadow += fmt.Sprintf("svc%d:!:20000::::::\n", i)
	}
	passwd += "ec2-user:x:1000:1000::/home/ec2-user:/bin/bash\n"
	shadow += "ec2-user:!!:20000:0:99999:7:::\n"
	files["etc/passwd"], files["etc/shadow"], files["etc/group"] = passwd, shadow, "root:x:0:\nec2-user:x:1000:\n"
	files["etc/ssh/sshd_config"] = "PasswordAuthentication no\nPermitRootLogin no\nInclude /etc/ssh/sshd_config.d/*.conf\n"
	files["etc/ssh/sshd_config.d/50-cloud.conf"] = "ClientAliveInterval 120\n"
	for i := range 800 {
		files[fmt.Sprintf("etc/conf%d.d/file%d.conf", i%60, i)] = text(20 + rng.IntN(80))
	}
	for i := range 600 {
		files[fmt.Sprintf("usr/bin/tool%d", i)] = blob(20<<10, 300<<10)
	}
	for i := range 900 {
		files[fmt.Sprintf("usr/lib/x86_64-linux-gnu/lib%d.so.1", i)] = blob(10<<10, 200<<10)
	}
	for i := range 1500 {
		for _, f := range []string{"copyright", "changelog.Debian.gz", "README"} {
			files[fmt.Sprintf("usr/share/doc/pkg%d/%s", i, f)] = text(5 + rng.IntN(30))
		}
	}
	for i := range 40 {
		files[fmt.Sprintf("var/log/app%d.log", i)] = text(50 + rng.IntN(2000))
	}
	files["var/log/journal/system.journal"] = blob(4<<20, 4<<20)
	for i := range 20 {
		files[fmt.Sprintf("var/lib/svc%d/state", i)] = text(10)
	}
	files["var/lib/cloud/instances/i-0abc/user-data.txt"] = "#cloud-config\npackages: [nginx]\n"
	files["var/lib/cloud/instance/boot-finished"] = "ok\n"
	files["home/ec2-user/.bashrc"] = text(10)
	files["home/ec2-user/.profile"] = text(5)
	files["home/ec2-user/.ssh/"] = ""
	files["root/.bashrc"] = text(10)
	files["etc/machine-id"] = ""
	for _, d := range []string{"tmp/", "var/tmp/", "var/cache/apt/archives/"} {
		files[d] = ""
	}
	return files
}
