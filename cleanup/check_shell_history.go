package cleanup

import "path"

// historyFiles are the history files of shells and REPLs, relative to a home directory.
var historyFiles = []string{
	".bash_history", ".zsh_history", ".history", ".sh_history", ".ash_history",
	".local/share/fish/fish_history", ".python_history", ".mysql_history", ".psql_history",
	".sqlite_history", ".rediscli_history", ".node_repl_history", ".lesshst", ".viminfo",
}

var checkShellHistory = Check{
	ID:       "shell-history",
	OS:       Linux,
	Severity: Medium,
	Summary:  "No non-empty shell or REPL history of any account (bash, zsh, sh, fish, python, mysql, psql, node, less, vim, …): commands typed during the build may hold secrets",
	Needs:    append([]string{"/etc/passwd"}, homeNeeds(historyFiles)...),
	Run:      runShellHistory,
}

// homeNeeds writes paths relative to a home as "~/" Needs.
func homeNeeds(rel []string) []string {
	out := make([]string, 0, len(rel))
	for _, p := range rel {
		out = append(out, "~/"+p)
	}
	return out
}

func runShellHistory(t *Target) ([]Finding, error) {
	r := newReport("shell-history", Medium)
	accounts, err := loadAccounts(t)
	if err != nil {
		return nil, err
	}
	for _, h := range homes(accounts) {
		for _, name := range historyFiles {
			p := path.Join(h.Path, name)
			// A link to /dev/null is the usual way to keep a history empty: only a regular
			// file with content counts, wherever the link points inside the image.
			_, info, err := statInFS(t.FS, p)
			if err != nil {
				r.fail(err)
				continue
			}
			if info.Mode().IsRegular() && info.Size() > 0 {
				r.add(p, "history of %s, %d bytes", h.owner(), info.Size())
			}
		}
	}
	return r.result()
}
