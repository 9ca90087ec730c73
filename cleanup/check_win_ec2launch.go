package cleanup

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

const (
	ec2LaunchV2Config = "/ProgramData/Amazon/EC2Launch/config/agent-config.yml"
	ec2LaunchV1Config = "/ProgramData/Amazon/EC2-Windows/Launch/Config/LaunchConfig.json"
)

var checkWinEC2Launch = Check{
	ID:       "ec2launch-agent-config",
	OS:       Windows,
	Severity: Critical,
	Summary:  "No administrator password in the EC2 launch agents' config: EC2Launch v2 agent-config.yml (setAdminAccount with a static password) and EC2Launch v1 LaunchConfig.json (adminPassword), nor any other secret in them",
	Needs:    []string{ec2LaunchV2Config, ec2LaunchV1Config},
	Run:      runWinEC2Launch,
}

func runWinEC2Launch(t *Target) ([]Finding, error) {
	r := newReport("ec2launch-agent-config", Critical)
	for _, cfg := range []struct {
		name  string
		parse func([]byte) []string
	}{{ec2LaunchV2Config, agentConfigPasswords}, {ec2LaunchV1Config, launchConfigPasswords}} {
		p, data, err := winReadFile(t.FS, cfg.name, maxConfigSize)
		if err != nil && !errors.Is(err, errTooLarge) {
			r.fail(err)
			continue
		}
		r.fail(err)
		for _, m := range cfg.parse(data) {
			r.add(p, "%s", m)
		}
		addSecretMatches(r, p, data) // scripts in executeScript tasks may carry keys
	}
	return r.result()
}

// agentConfigPasswords finds passwords in EC2Launch v2's YAML config: a "password:" key
// with a scalar value, or a password block with a non-empty "data:" (type static). It reads
// lines and indentation rather than YAML, which covers the shapes EC2Launch writes.
func agentConfigPasswords(data []byte) []string {
	var out []string
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		indent, key, value := yamlKey(lines[i])
		if !strings.EqualFold(key, "password") && !strings.EqualFold(key, "adminPassword") {
			continue
		}
		switch {
		case strings.HasPrefix(value, "{"): // flow mapping: {type: static, data: x}
			for _, field := range strings.Split(strings.Trim(value, "{} "), ",") {
				if k, v, ok := strings.Cut(field, ":"); ok && strings.TrimSpace(k) == "data" && yamlScalar(v) != "" {
					out = append(out, fmt.Sprintf("line %d: static administrator password", i+1))
				}
			}
		case yamlScalar(value) != "":
			out = append(out, fmt.Sprintf("line %d: administrator password", i+1))
		default: // block mapping below
			for j := i + 1; j < len(lines); j++ {
				in, k, v := yamlKey(lines[j])
				if k == "" && strings.TrimSpace(lines[j]) == "" {
					continue
				}
				if in <= indent {
					break
				}
				if k == "data" && yamlScalar(v) != "" {
					out = append(out, fmt.Sprintf("line %d: static administrator password", j+1))
				}
			}
		}
	}
	return out
}

// yamlKey splits "  - key: value # comment" into its indentation, key and value.
func yamlKey(line string) (indent int, key, value string) {
	trimmed := strings.TrimLeft(line, " ")
	indent = len(line) - len(trimmed)
	trimmed = strings.TrimPrefix(trimmed, "- ")
	if strings.HasPrefix(trimmed, "#") {
		return indent, "", ""
	}
	k, v, ok := strings.Cut(trimmed, ":")
	if !ok || strings.ContainsAny(k, " \t\"'") {
		return indent, "", ""
	}
	if c := strings.Index(v, " #"); c >= 0 {
		v = v[:c]
	}
	return indent, k, strings.TrimSpace(v)
}

// yamlScalar unquotes a scalar; "~" and "null" are empty.
func yamlScalar(v string) string {
	v = strings.TrimSpace(v)
	v = strings.Trim(v, `"'`)
	if v == "~" || strings.EqualFold(v, "null") {
		return ""
	}
	return v
}

// launchConfigPasswords finds the administrator password EC2Launch v1 sets at first boot
// when adminPasswordType is "Specify".
func launchConfigPasswords(data []byte) []string {
	var cfg struct {
		AdminPasswordType string `json:"adminPasswordType"`
		AdminPassword     string `json:"adminPassword"`
	}
	if len(data) == 0 || json.Unmarshal(data, &cfg) != nil {
		return nil
	}
	if strings.TrimSpace(cfg.AdminPassword) == "" {
		return nil
	}
	return []string{fmt.Sprintf("adminPassword set (adminPasswordType %q)", printable(cfg.AdminPasswordType, 32))}
}
