package cleanup

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Severity orders findings; `fail_on` names the lowest one that fails a build.
type Severity int

const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = []string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads "low", "medium", ... (case-insensitive).
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(strings.TrimSpace(name), n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q; valid: %s", name, strings.Join(severityNames, ", "))
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Finding is one piece of residue. Message never carries a secret value: keys are named by
// type, comment and fingerprint, secrets by rule and a redacted preview.
type Finding struct {
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	// Path is the /-rooted path inside the guest or image.
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (f Finding) String() string {
	return fmt.Sprintf("[%s] %s: %s: %s", f.Severity, f.Check, f.Path, f.Message)
}

// Target is what a check looks at.
type Target struct {
	// FS is rooted at the guest's "/" and uses unrooted paths ("etc/shadow"); for a Windows
	// guest it is rooted at the system drive ("Windows/Panther/unattend.xml"). It should
	// implement fs.ReadLinkFS so symlinks are seen as symlinks.
	FS fs.FS
	// PackerPublicKey is Packer's temporary public key (generated_data.SSHPublicKey), if any.
	PackerPublicKey string
	// KeepPasswords lists accounts whose usable password hash is intended.
	KeepPasswords []string
	// BuildUser is the account the build logged in as (for example "packer" or "ec2-user"
	// when the image should not keep it); the optional build-user check looks for it.
	BuildUser string
}

// Check is one residue test.
type Check struct {
	ID       string
	OS       OS
	Severity Severity
	Summary  string
	// Needs are the paths and globs the check reads. "~/" means under every account's home
	// directory (from /etc/passwd); a trailing "/" means the directory and everything below
	// it, any other path is just that entry. The provisioner fetches exactly these from a
	// live guest, so a check reading outside its Needs sees nothing there.
	Needs []string
	// Optional checks run only when selected by ID or proven by a selected operation.
	Optional bool
	// ImageOnly checks look for a state only a captured image has (a generalized Windows):
	// the provisioner's live verification, which runs before that state exists, skips them.
	ImageOnly bool
	// Run returns the findings. An error means the check could not look: the caller reports
	// it as "not verified", never as a pass.
	Run func(t *Target) ([]Finding, error)
}

// NotVerified is a check that could not run to the end.
type NotVerified struct {
	Check string `json:"check"`
	Error string `json:"error"`
}

// Result collects what a set of checks found.
type Result struct {
	Findings    []Finding     `json:"findings"`
	NotVerified []NotVerified `json:"not_verified,omitempty"`
}

// Failed tells whether the result fails a gate at the given severity: any finding at or
// above it, or any check that could not be verified.
func (r Result) Failed(failOn Severity) bool {
	if len(r.NotVerified) > 0 {
		return true
	}
	for _, f := range r.Findings {
		if f.Severity >= failOn {
			return true
		}
	}
	return false
}

// RunChecks runs the checks on the target. A panicking check is reported as not verified.
func RunChecks(t *Target, list []Check) Result {
	var r Result
	for _, c := range list {
		found, err := runOne(t, c)
		for i := range found {
			found[i].Check = c.ID
			if found[i].Severity == 0 && c.Severity != 0 {
				found[i].Severity = c.Severity
			}
		}
		r.Findings = append(r.Findings, found...)
		if err != nil {
			r.NotVerified = append(r.NotVerified, NotVerified{Check: c.ID, Error: err.Error()})
		}
	}
	sort.SliceStable(r.Findings, func(i, j int) bool {
		if r.Findings[i].Severity != r.Findings[j].Severity {
			return r.Findings[i].Severity > r.Findings[j].Severity
		}
		return r.Findings[i].Path < r.Findings[j].Path
	})
	return r
}

func runOne(t *Target, c Check) (found []Finding, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("check %s crashed: %v", c.ID, p)
		}
	}()
	return c.Run(t)
}

// ErrNotFetched is returned by filesystems that know a file exists but do not hold its
// contents (for example a file above the live guest's fetch size limit).
var ErrNotFetched = errors.New("file exists but its contents were not fetched")
