package cleanup

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// sshdConfigPath is where sshd reads its configuration from.
const sshdConfigPath = "/etc/ssh/sshd_config"

// sshdMaxIncludeDepth is sshd's own limit (SERVCONF_MAX_DEPTH); an Include loop hits it.
const sshdMaxIncludeDepth = 16

// sshdMaxFiles bounds the work on a hostile image: a file that includes itself twice
// would otherwise be read 2^16 times before the depth limit stops it.
const sshdMaxFiles = 256

// SSHDSetting is one keyword line of an sshd configuration.
type SSHDSetting struct {
	Keyword string // lower case: sshd keywords are case-insensitive
	Args    []string
	File    string // guest path
	Line    int
}

// Value is the first argument, or "" when there is none.
func (s SSHDSetting) Value() string {
	if len(s.Args) == 0 {
		return ""
	}
	return s.Args[0]
}

// SSHDMatch is one Match block and the settings it overrides for the connections it
// matches. Blocks in an included file end with that file, as in sshd.
type SSHDMatch struct {
	Criteria string
	File     string
	Line     int
	Settings []SSHDSetting
}

// Lookup returns the block's first setting of keyword.
func (m SSHDMatch) Lookup(keyword string) (SSHDSetting, bool) {
	return firstSetting(m.Settings, keyword)
}

// SSHDConfig is the sshd configuration read from /etc/ssh/sshd_config with its Includes
// expanded in place.
type SSHDConfig struct {
	// Present is false when /etc/ssh/sshd_config does not exist (no OpenSSH server).
	Present bool
	// Files lists the files read, in order.
	Files []string
	// Global holds the settings outside Match blocks in order of appearance.
	Global  []SSHDSetting
	Matches []SSHDMatch
}

// Lookup returns the effective global setting of keyword: sshd keeps the first value it
// reads.
func (c *SSHDConfig) Lookup(keyword string) (SSHDSetting, bool) {
	return firstSetting(c.Global, keyword)
}

// Value returns the effective global value of keyword, or def when it is not set.
func (c *SSHDConfig) Value(keyword, def string) string {
	if s, ok := c.Lookup(keyword); ok && len(s.Args) > 0 {
		return s.Args[0]
	}
	return def
}

func firstSetting(list []SSHDSetting, keyword string) (SSHDSetting, bool) {
	keyword = strings.ToLower(keyword)
	for _, s := range list {
		if s.Keyword == keyword {
			return s, true
		}
	}
	return SSHDSetting{}, false
}

// ParseSSHDConfig reads the guest's sshd configuration inside fsys: Include globs are
// relative to /etc/ssh, expanded in lexical order and nested up to sshd's depth limit.
// Symlinks are followed inside fsys only. A missing sshd_config gives Present=false. An
// unreadable file is an error, returned with what could be read.
func ParseSSHDConfig(fsys fs.FS) (*SSHDConfig, error) {
	p := &sshdParser{fsys: fsys, cfg: &SSHDConfig{}, match: -1}
	data, err := readFileInFS(fsys, sshdConfigPath, maxConfigSize)
	if isMissing(err) {
		return p.cfg, nil
	}
	if err != nil {
		return p.cfg, fmt.Errorf("reading %s: %w", sshdConfigPath, err)
	}
	p.cfg.Present = true
	p.parse(sshdConfigPath, data, 0)
	return p.cfg, errors.Join(p.errs...)
}

type sshdParser struct {
	fsys  fs.FS
	cfg   *SSHDConfig
	match int // index of the current Match block, -1 outside any
	errs  []error
}

func (p *sshdParser) parse(file string, data []byte, depth int) {
	p.cfg.Files = append(p.cfg.Files, file)
	for i, raw := range bytes.Split(data, []byte("\n")) {
		keyword, args := splitSSHDLine(string(raw))
		if keyword == "" {
			continue
		}
		switch keyword {
		case "match":
			p.cfg.Matches = append(p.cfg.Matches, SSHDMatch{Criteria: strings.Join(args, " "), File: file, Line: i + 1})
			p.match = len(p.cfg.Matches) - 1
		case "include":
			outer := p.match
			p.include(file, i+1, args, depth)
			p.match = outer
		default:
			s := SSHDSetting{Keyword: keyword, Args: args, File: file, Line: i + 1}
			if p.match < 0 {
				p.cfg.Global = append(p.cfg.Global, s)
			} else {
				p.cfg.Matches[p.match].Settings = append(p.cfg.Matches[p.match].Settings, s)
			}
		}
	}
}

func (p *sshdParser) include(file string, line int, patterns []string, depth int) {
	if depth+1 > sshdMaxIncludeDepth {
		p.errs = append(p.errs, fmt.Errorf("%s line %d: Include nested more than %d deep (a loop?)", file, line, sshdMaxIncludeDepth))
		return
	}
	for _, pattern := range patterns {
		if !strings.HasPrefix(pattern, "/") {
			pattern = path.Join("/etc/ssh", pattern)
		}
		names, err := globInFS(p.fsys, pattern)
		if err != nil {
			p.errs = append(p.errs, fmt.Errorf("%s line %d: Include %s: %w", file, line, pattern, err))
		}
		for _, name := range names {
			if len(p.cfg.Files) >= sshdMaxFiles {
				p.errs = append(p.errs, fmt.Errorf("%s line %d: Include reads more than %d files (a loop?)", file, line, sshdMaxFiles))
				return
			}
			data, err := readFileInFS(p.fsys, name, maxConfigSize)
			if err != nil {
				if !isMissing(err) {
					p.errs = append(p.errs, fmt.Errorf("%s line %d: Include %s: %w", file, line, name, err))
				}
				continue
			}
			p.parse(name, data, depth+1)
		}
	}
}

// splitSSHDLine splits one line the way sshd does: "Keyword args", "Keyword=args" or
// "Keyword = args"; double quotes group an argument; a word starting with '#' starts a
// comment. The keyword comes back lower case; "" means no keyword on the line.
func splitSSHDLine(line string) (string, []string) {
	line = strings.TrimSpace(strings.TrimRight(line, "\r"))
	if line == "" || line[0] == '#' {
		return "", nil
	}
	end := strings.IndexAny(line, " \t=")
	if end < 0 {
		return strings.ToLower(line), nil
	}
	keyword := strings.ToLower(line[:end])
	rest := strings.TrimLeft(line[end:], " \t")
	rest = strings.TrimLeft(strings.TrimPrefix(rest, "="), " \t")
	var args []string
	for rest != "" {
		var arg string
		if rest[0] == '"' {
			q := strings.IndexByte(rest[1:], '"')
			if q < 0 {
				q = len(rest) - 1 // unterminated: sshd rejects it; take the rest
			}
			arg, rest = rest[1:1+q], rest[min(len(rest), q+2):]
		} else if rest[0] == '#' {
			break
		} else {
			cut := strings.IndexAny(rest, " \t")
			if cut < 0 {
				cut = len(rest)
			}
			arg, rest = rest[:cut], rest[cut:]
		}
		args = append(args, arg)
		rest = strings.TrimLeft(rest, " \t")
	}
	return keyword, args
}
