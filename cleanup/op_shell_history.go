package cleanup

var opShellHistory = Operation{
	ID:      "shell-history",
	OS:      Linux,
	Default: true,
	Summary: "Shred shell and REPL histories of every account (bash, zsh, sh, fish, python, mysql, psql, node, less, vim, redis, sqlite)",
	Script:  "shell-history.sh",
	Checks:  []string{"shell-history"},
}
