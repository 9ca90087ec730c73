package cleanup

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/crypto/ssh"
)

func TestCatalogueIsConsistent(t *testing.T) {
	if err := validateCatalogue(); err != nil {
		t.Fatal(err)
	}
}

func TestCleanGuestPassesEveryCheck(t *testing.T) {
	_, packerLine, _ := newKey(t, "packer")
	target := &Target{FS: cleanGuest(t), PackerPublicKey: packerLine, BuildUser: "packer"}
	for _, c := range Checks(Linux) {
		found, err := c.Run(target)
		if err != nil || len(found) > 0 {
			t.Errorf("%s on a clean guest: err=%v\n%s", c.ID, err, messages(found))
		}
	}
}

// dirtyCase plants residue in the clean guest; the check must find it, and only the
// planted residue (the clean twin is TestCleanGuestPassesEveryCheck).
type dirtyCase struct {
	name     string
	check    string
	plant    func(t *testing.T, target *Target, fsys fstest.MapFS) (secrets []string)
	want     []string // substrings, each of some finding's Path+" "+Message
	severity Severity // of the first finding wanted, when not the check's
}

func TestDirtyGuest(t *testing.T) {
	for _, tc := range dirtyCases {
		t.Run(tc.check+"/"+tc.name, func(t *testing.T) {
			fsys := cleanGuest(t)
			target := &Target{FS: fsys}
			secrets := tc.plant(t, target, fsys)
			found, err := runCheck(t, tc.check, target)
			if err != nil {
				t.Fatalf("unexpected error: %v\n%s", err, messages(found))
			}
			all := messages(found)
			for _, w := range tc.want {
				if !strings.Contains(pathMessages(found), w) {
					t.Errorf("no finding with %q in:\n%s", w, all)
				}
			}
			c, _ := LookupCheck(Linux, tc.check)
			sev := c.Severity
			if tc.severity != 0 {
				sev = tc.severity
			}
			if len(found) == 0 || found[0].Severity != sev || found[0].Check != tc.check {
				t.Errorf("want first finding of %s at %s, got:\n%s", tc.check, sev, all)
			}
			assertNoLeak(t, found, secrets...)
		})
	}
}

var dirtyCases = []dirtyCase{
	{name: "host key", check: "ssh-host-keys",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			priv, _, _ := newKey(t, "root@build")
			fsys["etc/ssh/ssh_host_ed25519_key"] = file(string(priv))
			return []string{string(priv)}
		},
		want: []string{"/etc/ssh/ssh_host_ed25519_key private ssh-ed25519 key SHA256:"}},
	{name: "passphrase-protected, unparseable and elsewhere in /etc/ssh", check: "ssh-host-keys",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			_, edPriv, _ := newEd25519(t)
			block, err := ssh.MarshalPrivateKeyWithPassphrase(edPriv, "c", []byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
			if err != nil {
				t.Fatal(err)
			}
			fsys["etc/ssh/ssh_host_ecdsa_key"] = file(string(pem.EncodeToMemory(block)))
			fsys["etc/ssh/ssh_host_rsa_key"] = file("garbage that sshd cannot load\n")
			fsys["etc/ssh/backup/old_rsa"] = file(string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})))
			return nil
		},
		want: []string{"ssh_host_ecdsa_key passphrase-protected private ssh-ed25519 key SHA256:",
			"ssh_host_rsa_key unparseable private key file", "/etc/ssh/backup/old_rsa private ssh-rsa key SHA256:"}},
	{name: "key of an account outside /home", check: "authorized-keys",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			_, line, _ := newKey(t, "ops@laptop")
			fsys["var/lib/svc/.ssh/authorized_keys"] = file("# managed\n\n" + line + "\n")
			return nil
		},
		want: []string{`/var/lib/svc/.ssh/authorized_keys line 3 authorizes ssh-ed25519 key SHA256:`, `"ops@laptop"`}},
	{name: "authorized_keys2 with options and a bad line", check: "authorized-keys",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			_, line, _ := newKey(t, "ci")
			fsys["srv/app/.ssh/authorized_keys2"] = file(`from="10.0.0.0/8",no-pty ` + line + "\nnot a key hunter2\n")
			return []string{"hunter2"}
		},
		want: []string{"/srv/app/.ssh/authorized_keys2 line 1 authorizes ssh-ed25519", "line 2 is not a valid key"}},
	{name: "Packer's key", check: "packer-key",
		plant: func(t *testing.T, target *Target, fsys fstest.MapFS) []string {
			_, line, _ := newKey(t, "packer_6600")
			_, other, _ := newKey(t, "other")
			target.PackerPublicKey = line
			fsys["home/alice/.ssh/authorized_keys"] = file(other + "\nno-agent-forwarding " + line + "\n")
			return nil
		},
		want: []string{"/home/alice/.ssh/authorized_keys line 2 authorizes Packer's temporary ssh-ed25519 key SHA256:"}},
	{name: "root hash", check: "password-hashes",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			fsys["etc/shadow"] = file("root:$6$c2FsdHNhbHQ$dGhpc2lzbm90YXJlYWxoYXNoYnV0bG9va3NsaWtlb25l:19000:0:99999:7:::\nalice:$y$j9T$c2FsdA$aGFzaA:19000::::::\n")
			return []string{"$6$c2FsdHNhbHQ$", "dGhpc2lzbm90"}
		},
		want: []string{"/etc/shadow root has a usable sha512crypt password hash (line 1)", "account alice has a usable yescrypt"}},
	{name: "empty password", check: "password-hashes", severity: Critical,
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			fsys["etc/shadow-"] = file("alice::19000::::::\n")
			return nil
		},
		want: []string{"/etc/shadow- account alice has an empty password"}},
	{name: "sshd default password authentication", check: "sshd-config",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			fsys["etc/ssh/sshd_config"] = file("#PasswordAuthentication yes\nPermitRootLogin Yes\n")
			return nil
		},
		want: []string{"PasswordAuthentication is not set and OpenSSH's default is yes", "/etc/ssh/sshd_config PermitRootLogin yes (line 2)"}},
	{name: "history outside /home", check: "shell-history",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			fsys["var/lib/svc/.python_history"] = file("import os\n")
			return nil
		},
		want: []string{"/var/lib/svc/.python_history history of account svc (uid 997), 10 bytes"}},
	{name: "custom-named key", check: "private-keys",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			priv, _, _ := newKey(t, "deploy")
			fsys["home/alice/.ssh/deploy_key"] = file(string(priv))
			return []string{string(priv)}
		},
		want: []string{"/home/alice/.ssh/deploy_key private ssh-ed25519 key SHA256:"}},
	{name: "aws credentials", check: "cloud-credentials",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			id, secret := fakeAWSKeyID(t), fakeAWSSecret(t)
			fsys["srv/app/.aws/credentials"] = file("[default]\naws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\n")
			return []string{id, secret}
		},
		want: []string{"/srv/app/.aws/credentials aws_secret_access_key in profile [default] (line 3)"}},
	{name: "aws key in /etc/environment", check: "secrets",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			id := fakeAWSKeyID(t)
			fsys["etc/environment"] = file("PATH=/usr/bin\nAWS_ACCESS_KEY_ID=" + id + "\n")
			return []string{id, id[4:]}
		},
		want: []string{"/etc/environment line 2: AWS access key ID (aws-access-key-id): AKIA…(20 chars)"}},
	{name: "Packer's script", check: "packer-leftovers",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			fsys["tmp/script_8081.sh"] = file("#!/bin/sh\n")
			return nil
		},
		want: []string{"/tmp/script_8081.sh left by a Packer provisioner"}},
	{name: "file in /var/tmp", check: "tmp-files",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			fsys["var/tmp/build/out.txt"] = file("x")
			return nil
		},
		want: []string{"/var/tmp/build/out.txt temporary file"}},
	{name: "auth.log", check: "logfiles",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			fsys["var/log/auth.log"] = file("sshd: Accepted publickey\n")
			fsys["var/log/auth.log.2.gz"] = file("\x1f\x8b")
			return nil
		},
		want: []string{"/var/log/auth.log log file, 25 bytes", "/var/log/auth.log.2.gz rotated log"}},
	{name: "instance state", check: "cloud-init",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			fsys["var/lib/cloud/instance"] = link("/var/lib/cloud/instances/i-0abc")
			fsys["var/lib/cloud/instances/i-0abc/user-data.txt"] = file("#cloud-config\n")
			fsys["var/lib/cloud/data/instance-id"] = file("i-0abc\n")
			return nil
		},
		want: []string{"/var/lib/cloud/instance link to the build's instance state (/var/lib/cloud/instances/i-0abc)",
			"/var/lib/cloud/instances/i-0abc state of instance i-0abc, with its user-data", "/var/lib/cloud/data cloud-init data"}},
	{name: "machine id", check: "machine-id",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			fsys["etc/machine-id"] = file("0123456789abcdef0123456789abcdef\n")
			return nil
		},
		want: []string{"/etc/machine-id holds the build's machine ID"}},
	{name: "shadow backup", check: "passwd-backups",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			fsys["etc/shadow-"] = file("root:*:19000::::::\n")
			return nil
		},
		want: []string{"/etc/shadow- backup"}},
	{name: "deb", check: "package-cache",
		plant: func(t *testing.T, _ *Target, fsys fstest.MapFS) []string {
			fsys["var/cache/apt/archives/curl_8.5.0_amd64.deb"] = file("!<arch>\n")
			fsys["var/cache/dnf/baseos/packages/bash-5.2.rpm"] = file("rpm")
			return nil
		},
		want: []string{"/var/cache/apt/archives/curl_8.5.0_amd64.deb cached package", "bash-5.2.rpm cached package"}},
	{name: "build account left", check: "build-user",
		plant: func(t *testing.T, target *Target, fsys fstest.MapFS) []string {
			target.BuildUser = "packer"
			fsys["etc/passwd"] = file(cleanPasswd + "packer:x:1001:1001::/home/packer:/bin/bash\n")
			fsys["home/packer/.bashrc"] = file("")
			fsys["etc/sudoers.d/90-packer"] = file("# build\npacker ALL=(ALL) NOPASSWD:ALL\n")
			return nil
		},
		want: []string{"/etc/passwd build account packer (uid 1001) still exists", "/home/packer home directory",
			"/etc/sudoers.d/90-packer line 2 grants sudo"}},
}

func TestFailClosed(t *testing.T) {
	for _, tc := range []struct {
		name, check string
		missing     string // fs path that exists but was not fetched
	}{
		{"shadow not fetched", "password-hashes", "etc/shadow"},
		{"authorized_keys not fetched", "authorized-keys", "root/.ssh/authorized_keys"},
		{"sshd_config not fetched", "sshd-config", "etc/ssh/sshd_config"},
		{"profile not fetched", "secrets", "etc/profile"},
		{"passwd not fetched", "shell-history", "etc/passwd"},
		{"key file not fetched", "private-keys", "home/alice/.ssh/known_hosts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := notFetchedFS{MapFS: cleanGuest(t), missing: map[string]bool{tc.missing: true}}
			_, err := runCheck(t, tc.check, &Target{FS: fsys})
			if !errors.Is(err, ErrNotFetched) {
				t.Fatalf("want an ErrNotFetched error, got %v", err)
			}
		})
	}
}

func TestChecksNeedingAccountsFailWithoutPasswd(t *testing.T) {
	for _, id := range []string{"authorized-keys", "shell-history", "private-keys", "cloud-credentials", "secrets"} {
		for name, passwd := range map[string]*fstest.MapFile{"missing": nil, "garbage": file("this is not passwd\n")} {
			fsys := with(cleanGuest(t), map[string]*fstest.MapFile{"etc/passwd": passwd})
			if _, err := runCheck(t, id, &Target{FS: fsys}); err == nil {
				t.Errorf("%s with %s /etc/passwd: want an error", id, name)
			}
		}
	}
}

// A failing file does not hide the findings of the others.
func TestFindingsSurviveAnError(t *testing.T) {
	fsys := cleanGuest(t)
	fsys["etc/shadow"] = file("root:$6$c2FsdA$aGFzaA:19000::::::\n")
	found, err := runCheck(t, "password-hashes", &Target{FS: notFetchedFS{MapFS: fsys, missing: map[string]bool{"etc/gshadow": true}}})
	if err == nil || len(found) != 1 {
		t.Fatalf("want one finding and an error, got %v\n%s", err, messages(found))
	}
}
