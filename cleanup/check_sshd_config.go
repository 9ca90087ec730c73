package cleanup

import "strings"

var checkSSHDConfig = Check{
	ID:       "sshd-config",
	OS:       Linux,
	Severity: Medium,
	Summary:  "sshd (with its Includes and Match blocks) allows no password login, no root login with a password and no empty password",
	Needs:    []string{"/etc/ssh/"},
	Run:      runSSHDConfig,
}

// sshdRisk is a setting whose value "yes" opens the image to password guessing.
type sshdRisk struct {
	keyword  string // lower case
	name     string // as documented
	def      string // OpenSSH's default when unset
	severity Severity
	why      string
}

var sshdRisks = []sshdRisk{
	{"passwordauthentication", "PasswordAuthentication", "yes", Medium, "password logins are allowed"},
	{"permitrootlogin", "PermitRootLogin", "prohibit-password", Medium, "root may log in with a password"},
	{"permitemptypasswords", "PermitEmptyPasswords", "no", High, "accounts without a password may log in"},
}

func runSSHDConfig(t *Target) ([]Finding, error) {
	r := newReport("sshd-config", Medium)
	cfg, err := ParseSSHDConfig(t.FS)
	r.fail(err)
	if !cfg.Present {
		return r.result() // no OpenSSH server configured
	}
	for _, risk := range sshdRisks {
		s, ok := cfg.Lookup(risk.keyword)
		switch {
		case !ok && risk.def == "yes":
			r.addSeverity(risk.severity, sshdConfigPath, "%s is not set and OpenSSH's default is yes: %s", risk.name, risk.why)
		case ok && strings.EqualFold(s.Value(), "yes"):
			r.addSeverity(risk.severity, s.File, "%s yes (line %d): %s", risk.name, s.Line, risk.why)
		}
		for _, m := range cfg.Matches {
			if s, ok := m.Lookup(risk.keyword); ok && strings.EqualFold(s.Value(), "yes") {
				r.addSeverity(risk.severity, s.File, "Match %s (line %d) sets %s yes (line %d): %s for the connections it matches",
					printable(m.Criteria, 120), m.Line, risk.name, s.Line, risk.why)
			}
		}
	}
	return r.result()
}
