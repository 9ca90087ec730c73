// Package version holds the plugin's version. Release builds set Version and
// VersionPrerelease with -ldflags "-X" (see .goreleaser.yml); `make dev` keeps "dev".
package version

import "github.com/hashicorp/packer-plugin-sdk/version"

var (
	// Version is the main version number.
	Version = "0.1.0"
	// VersionPrerelease marks a pre-release ("dev", "beta1"); empty for a release.
	VersionPrerelease = "dev"
	// VersionMetadata is optional build metadata (semver "+..." part).
	VersionMetadata = ""
	// PluginVersion is what the plugin reports to Packer (`describe`).
	PluginVersion = version.NewPluginVersion(Version, VersionPrerelease, VersionMetadata)
)
