package cleanup

var opPackageCache = Operation{
	ID:      "package-cache",
	OS:      Linux,
	Default: true,
	Summary: "Clean the package manager caches (apt, dnf, yum, zypper)",
	Script:  "package-cache.sh",
	Checks:  []string{"package-cache"},
}
