package cleanup

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestSSHDConfigFindings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string // under etc/ssh/
		want  []string          // "Path Message" substrings; none means a pass
	}{
		{"included yes before main no: first wins", map[string]string{
			"sshd_config":                      "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n",
			"sshd_config.d/50-cloud-init.conf": "PasswordAuthentication yes\n",
		}, []string{"/etc/ssh/sshd_config.d/50-cloud-init.conf PasswordAuthentication yes (line 1)"}},
		{"main no before include yes: first wins", map[string]string{
			"sshd_config":                      "PasswordAuthentication no\nInclude /etc/ssh/sshd_config.d/*.conf\n",
			"sshd_config.d/50-cloud-init.conf": "PasswordAuthentication yes\n",
		}, nil},
		{"lexical order of an Include glob, relative to /etc/ssh", map[string]string{
			"sshd_config":          "Include conf.d/*\n",
			"conf.d/20-hardening":  "PasswordAuthentication no\n",
			"conf.d/10-vendor":     "passwordauthentication=YES\n",
			"conf.d/zz-not-loaded": "",
		}, []string{"/etc/ssh/conf.d/10-vendor PasswordAuthentication yes"}},
		{"nested include", map[string]string{
			"sshd_config": "Include a.conf\nPasswordAuthentication no\n",
			"a.conf":      "Include /etc/ssh/b.conf\n",
			"b.conf":      "PermitRootLogin yes\n",
		}, []string{"/etc/ssh/b.conf PermitRootLogin yes (line 1)"}},
		{"default password authentication", map[string]string{
			"sshd_config": "# PasswordAuthentication no\nPermitRootLogin without-password\n",
		}, []string{"/etc/ssh/sshd_config PasswordAuthentication is not set"}},
		{"Match block", map[string]string{
			"sshd_config": "PasswordAuthentication no\nMatch Address 10.0.0.0/8\n  PasswordAuthentication yes\n",
		}, []string{"/etc/ssh/sshd_config Match Address 10.0.0.0/8 (line 2) sets PasswordAuthentication yes (line 3)"}},
		{"Match in an included file ends with the file", map[string]string{
			"sshd_config": "Include m.conf\nPasswordAuthentication no\n",
			"m.conf":      "Match User deploy\n  PermitRootLogin no\n",
		}, nil},
		{"Include inside a Match block stays in it", map[string]string{
			"sshd_config": "PasswordAuthentication no\nMatch User ci\n  Include ci.conf\n",
			"ci.conf":     "PasswordAuthentication yes\n",
		}, []string{"/etc/ssh/ci.conf Match User ci (line 2) sets PasswordAuthentication yes (line 1)"}},
		{"empty passwords", map[string]string{
			"sshd_config": "PasswordAuthentication no\nPermitEmptyPasswords yes # why\n",
		}, []string{"/etc/ssh/sshd_config PermitEmptyPasswords yes (line 2)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := with(cleanGuest(t), map[string]*fstest.MapFile{"etc/ssh/sshd_config": nil})
			for name, data := range tc.files {
				fsys["etc/ssh/"+name] = file(data)
			}
			found, err := runCheck(t, "sshd-config", &Target{FS: fsys})
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
		})
	}
}

func TestSSHDConfigEmptyPasswordsIsHigh(t *testing.T) {
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{"etc/ssh/sshd_config": file("PasswordAuthentication no\nPermitEmptyPasswords yes\n")})
	found, _ := runCheck(t, "sshd-config", &Target{FS: fsys})
	if len(found) != 1 || found[0].Severity != High {
		t.Fatalf("want one high finding:\n%s", messages(found))
	}
}

func TestSSHDIncludeLoopIsAnError(t *testing.T) {
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{
		"etc/ssh/sshd_config": file("Include loop.conf\nPasswordAuthentication no\n"),
		"etc/ssh/loop.conf":   file("Include /etc/ssh/loop.conf\n"),
	})
	if _, err := runCheck(t, "sshd-config", &Target{FS: fsys}); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Fatalf("want an Include depth error, got %v", err)
	}
}

func TestNoSSHDConfigPasses(t *testing.T) {
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{"etc/ssh/sshd_config": nil})
	cfg, err := ParseSSHDConfig(fsys)
	if err != nil || cfg.Present {
		t.Fatalf("want absent config, got %+v %v", cfg, err)
	}
	if found, err := runCheck(t, "sshd-config", &Target{FS: fsys}); err != nil || len(found) > 0 {
		t.Fatalf("want a pass, got %v %v", found, err)
	}
}

func TestParseSSHDConfigAPI(t *testing.T) {
	fsys := fstest.MapFS{
		"etc/ssh/sshd_config":                file("Include /etc/ssh/sshd_config.d/*.conf\nAuthorizedKeysFile .ssh/authorized_keys /etc/ssh/keys/%u\nPort 22\n"),
		"etc/ssh/sshd_config.d/01-port.conf": file("Port 2222\n"),
	}
	cfg, err := ParseSSHDConfig(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Value("port", "22"); got != "2222" {
		t.Errorf("Port: first value wins, got %s", got)
	}
	s, ok := cfg.Lookup("AuthorizedKeysFile")
	if !ok || !reflect.DeepEqual(s.Args, []string{".ssh/authorized_keys", "/etc/ssh/keys/%u"}) || s.File != "/etc/ssh/sshd_config" || s.Line != 2 {
		t.Errorf("AuthorizedKeysFile: %+v", s)
	}
	if !reflect.DeepEqual(cfg.Files, []string{"/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/01-port.conf"}) {
		t.Errorf("files: %v", cfg.Files)
	}
}

func TestSplitSSHDLine(t *testing.T) {
	for line, want := range map[string][]string{
		"  PasswordAuthentication yes":               {"passwordauthentication", "yes"},
		"PermitRootLogin=no":                         {"permitrootlogin", "no"},
		"PermitRootLogin = no # comment":             {"permitrootlogin", "no"},
		`AuthorizedKeysFile "/etc/ssh/my keys/%u" x`: {"authorizedkeysfile", "/etc/ssh/my keys/%u", "x"},
		"# PasswordAuthentication yes":               nil,
		"\t\r":                                       nil,
	} {
		kw, args := splitSSHDLine(line)
		var got []string
		if kw != "" {
			got = append([]string{kw}, args...)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", line, got, want)
		}
	}
}
