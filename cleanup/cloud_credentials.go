package cleanup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// credentialFile is a well-known credentials file under a home directory and the parser
// that names what it holds. Parsers return messages that never carry a secret.
type credentialFile struct {
	rel   string
	parse func(data []byte) []string
}

var credentialFiles = []credentialFile{
	{".aws/credentials", parseAWSCredentials},
	{".aws/config", parseAWSCredentials},
	{".aliyun/config.json", parseAliyunConfig},
	{".git-credentials", parseGitCredentials},
	{".docker/config.json", parseDockerConfig},
	{".netrc", parseNetrc},
}

// parseAWSCredentials finds secret keys and session tokens in the AWS CLI's INI files.
func parseAWSCredentials(data []byte) []string {
	var out []string
	section := "default"
	for i, line := range bytes.Split(data, []byte("\n")) {
		text := strings.TrimSpace(string(line))
		if strings.HasPrefix(text, "[") && strings.HasSuffix(text, "]") {
			section = strings.TrimSpace(strings.TrimPrefix(text[1:len(text)-1], "profile "))
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok || strings.TrimSpace(value) == "" {
			continue
		}
		switch key {
		case "aws_secret_access_key", "aws_session_token", "aws_security_token":
			out = append(out, fmt.Sprintf("%s in profile [%s] (line %d)", key, printable(section, 64), i+1))
		}
	}
	return out
}

// parseAliyunConfig finds AccessKey secrets, STS tokens and RSA key pairs in the
// Alibaba Cloud CLI's config.json.
func parseAliyunConfig(data []byte) []string {
	var cfg struct {
		Profiles []map[string]any `json:"profiles"`
	}
	if json.Unmarshal(data, &cfg) != nil {
		return nil // left to the secret rules
	}
	var out []string
	for _, p := range cfg.Profiles {
		for _, key := range []string{"access_key_secret", "sts_token", "private_key"} {
			if v, _ := p[key].(string); v != "" {
				name, _ := p["name"].(string)
				out = append(out, fmt.Sprintf("%s in profile %q", key, printable(name, 64)))
			}
		}
	}
	return out
}

// parseGitCredentials finds URLs with a password in git's credential store.
func parseGitCredentials(data []byte) []string {
	var out []string
	for i, line := range bytes.Split(data, []byte("\n")) {
		u, err := url.Parse(strings.TrimSpace(string(line)))
		if err != nil || u.User == nil {
			continue
		}
		if pw, ok := u.User.Password(); ok && pw != "" {
			out = append(out, fmt.Sprintf("git credential with a password for %s (line %d)", printable(u.Host, 100), i+1))
		}
	}
	return out
}

// parseDockerConfig finds registry auths and identity tokens in ~/.docker/config.json.
func parseDockerConfig(data []byte) []string {
	var cfg struct {
		Auths map[string]struct {
			Auth          string `json:"auth"`
			IdentityToken string `json:"identitytoken"`
			RegistryToken string `json:"registrytoken"`
			Password      string `json:"password"`
		} `json:"auths"`
	}
	if json.Unmarshal(data, &cfg) != nil {
		return nil
	}
	var out []string
	for registry, a := range cfg.Auths {
		if a.Auth != "" || a.IdentityToken != "" || a.RegistryToken != "" || a.Password != "" {
			out = append(out, fmt.Sprintf("Docker credential for registry %s", printable(registry, 100)))
		}
	}
	sort.Strings(out)
	return out
}

// parseNetrc finds passwords in ~/.netrc, skipping macdef bodies.
func parseNetrc(data []byte) []string {
	var out []string
	machine := "default"
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		fields := strings.Fields(lines[i])
		for j := 0; j < len(fields); j++ {
			switch fields[j] {
			case "machine":
				if j+1 < len(fields) {
					machine = fields[j+1]
				}
			case "default":
				machine = "default"
			case "password":
				if j+1 < len(fields) {
					out = append(out, fmt.Sprintf("password for machine %s (line %d)", printable(machine, 100), i+1))
				}
			case "macdef": // the macro runs until an empty line
				for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
					i++
				}
				j = len(fields)
			}
		}
	}
	return out
}
