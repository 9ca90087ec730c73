package cleanup

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

func TestPasswordHashes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		files  map[string]string
		keep   []string
		want   []string // "Path Message" substrings; none means a pass
		severe bool     // the first finding is critical
	}{
		{"kept account", map[string]string{"etc/shadow": "ops:$5$c2FsdA$aGFzaA:19000::::::\n"}, []string{"ops"}, nil, false},
		{"locked forms", map[string]string{"etc/shadow": "a:!:1::::::\nb:!!:1::::::\nc:*:1::::::\nd:!$y$j9T$x$y:1::::::\ne:*LK*:1::::::\n"}, nil, nil, false},
		{"DES and bcrypt", map[string]string{"etc/shadow": "a:abJnggxhB/yWI:1::::::\nb:$2b$10$c2FsdHNhbHRzYWx0c2FsdA:1::::::\n"}, nil,
			[]string{"account a has a usable DES crypt password hash", "account b has a usable bcrypt password hash"}, false},
		{"hash in passwd itself", map[string]string{"etc/passwd": cleanPasswd + "old:$1$c2FsdA$aGFzaA:5:5::/:/bin/sh\n"}, nil,
			[]string{"/etc/passwd account old has a usable md5crypt password hash (line 7)"}, false},
		{"empty field in passwd", map[string]string{"etc/passwd": "root::0:0:root:/root:/bin/bash\n"}, nil,
			[]string{"/etc/passwd root has an empty password"}, true},
		{"group password", map[string]string{"etc/gshadow-": "wheel:$6$c2FsdA$aGFzaA::\nusers:::\n"}, nil,
			[]string{"/etc/gshadow- group wheel has a usable sha512crypt password hash"}, false},
		{"unknown format", map[string]string{"etc/shadow": "a:NP:1::::::\n"}, nil,
			[]string{"account a has a password field that is not locked, in no known hash format"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := cleanGuest(t)
			for name, data := range tc.files {
				fsys[name] = file(data)
			}
			found, err := runCheck(t, "password-hashes", &Target{FS: fsys, KeepPasswords: tc.keep})
			if err != nil {
				t.Fatal(err)
			}
			got := pathMessages(found)
			if len(tc.want) == 0 && len(found) > 0 {
				t.Errorf("want a pass, got:\n%s", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			if tc.severe && found[0].Severity != Critical {
				t.Errorf("want critical:\n%s", messages(found))
			}
			assertNoLeak(t, found, "c2FsdA", "abJnggxhB")
		})
	}
}

func TestCloudCredentialFormats(t *testing.T) {
	secret := randomString(t, alnum, 30)
	password := randomString(t, alnum, 16)
	auth := base64.StdEncoding.EncodeToString([]byte("bot:" + password))
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{
		"home/alice/.aliyun/config.json": file(`{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"LTAI` +
			secret[:20] + `","access_key_secret":"` + secret + `"}]}`),
		"home/alice/.git-credentials":                               file("https://bot:" + password + "@git.internal.example\n"),
		"home/alice/.docker/config.json":                            file(`{"auths":{"registry.internal":{"auth":"` + auth + `"},"empty.io":{}},"credsStore":"pass"}`),
		"root/.netrc":                                               file("machine ftp.internal login bot password " + password + "\nmacdef init\npassword is not a token here\n\n"),
		"root/.config/gcloud/credentials.db":                        file("sqlite"),
		"root/.config/gcloud/legacy_credentials/bot@x.iam/adc.json": file("{}"),
		"root/.config/gcloud/configurations/config_default":         file("[core]\nproject = x\n"),
		"srv/app/.aws/config":                                       file("[profile ci]\nregion = eu-west-1\naws_session_token = " + randomString(t, base64Chars, 200) + "\n"),
		"srv/app/.docker/config.json":                               file("not json, but \"auth\": \"" + auth + "\""),
	})
	found, err := runCheck(t, "cloud-credentials", &Target{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	got := pathMessages(found)
	for _, w := range []string{
		`/home/alice/.aliyun/config.json access_key_secret in profile "default"`,
		"/home/alice/.git-credentials git credential with a password for git.internal.example (line 1)",
		"/home/alice/.docker/config.json Docker credential for registry registry.internal",
		"/root/.netrc password for machine ftp.internal (line 1)",
		"/root/.config/gcloud/credentials.db gcloud credentials file",
		"/root/.config/gcloud/legacy_credentials/bot@x.iam/adc.json gcloud credentials file",
		"/srv/app/.aws/config aws_session_token in profile [ci] (line 3)",
		"/srv/app/.docker/config.json line 1: Docker registry credential (docker-auth)",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if len(found) != 8 {
		t.Errorf("want 8 findings, got:\n%s", got)
	}
	assertNoLeak(t, found, secret, password, auth)
}

func TestLogfilesAreCapped(t *testing.T) {
	fsys := cleanGuest(t)
	for i := range maxFindingsPerCheck + 10 {
		fsys[fmt.Sprintf("var/log/app/%03d.log", i)] = file("line\n")
	}
	fsys["var/log/journal/0123/system.journal"] = file("LPKSHHRH")
	fsys["var/log/wtmp"] = file("records")
	fsys["var/log/empty.log"] = file("")
	found, err := runCheck(t, "logfiles", &Target{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != maxFindingsPerCheck+1 || found[len(found)-1].Message != "and 12 more non-empty files under /var/log" {
		t.Fatalf("got %d findings, last %v", len(found), found[len(found)-1])
	}
	clean := cleanGuest(t)
	clean["var/log/journal/0123/system.journal"] = file("LPKSHHRH")
	clean["var/log/wtmp"] = file("records")
	found, _ = runCheck(t, "logfiles", &Target{FS: clean})
	if got := pathMessages(found); !strings.Contains(got, "system.journal systemd journal file") || !strings.Contains(got, "/var/log/wtmp login records") {
		t.Errorf("got:\n%s", got)
	}
}

func TestMachineID(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]*fstest.MapFile
		want  int
	}{
		"uninitialized":         {map[string]*fstest.MapFile{"etc/machine-id": file("uninitialized\n")}, 0},
		"missing":               {map[string]*fstest.MapFile{"etc/machine-id": nil, "var/lib/dbus/machine-id": nil}, 0},
		"dbus copy":             {map[string]*fstest.MapFile{"var/lib/dbus/machine-id": file("0123456789abcdef0123456789abcdef\n")}, 1},
		"dbus link elsewhere":   {map[string]*fstest.MapFile{"var/lib/dbus/machine-id": link("../../../srv/id"), "srv/id": file("0123\n")}, 1},
		"relative link to /etc": {map[string]*fstest.MapFile{"var/lib/dbus/machine-id": link("../../../etc/machine-id"), "etc/machine-id": file("0123\n")}, 1},
	} {
		found, err := runCheck(t, "machine-id", &Target{FS: with(cleanGuest(t), tc.files)})
		if err != nil || len(found) != tc.want {
			t.Errorf("%s: want %d findings, got %v:\n%s", name, tc.want, err, messages(found))
		}
	}
}

func TestPackerLeftoversIgnoreOtherTempFiles(t *testing.T) {
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{
		"tmp/scripts.txt":  file("x"),
		"tmp/my_script.sh": file("x"),
		"var/tmp/packer-provisioner-ansible-local/5f1/playbook.yml": file("x"),
	})
	found, err := runCheck(t, "packer-leftovers", &Target{FS: fsys})
	if err != nil || len(found) != 1 || found[0].Path != "/var/tmp/packer-provisioner-ansible-local" {
		t.Fatalf("got %v:\n%s", err, messages(found))
	}
}

func TestBuildUserGoneOrUnnamed(t *testing.T) {
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{"etc/sudoers.d/README": file("# packer was here\n")})
	for _, user := range []string{"", "packer"} {
		if found, err := runCheck(t, "build-user", &Target{FS: fsys, BuildUser: user}); err != nil || len(found) > 0 {
			t.Errorf("%q: got %v:\n%s", user, err, messages(found))
		}
	}
	if _, err := runCheck(t, "build-user", &Target{FS: fsys, BuildUser: "../etc"}); err == nil {
		t.Error("a path as build user must be refused")
	}
}
