#!/usr/bin/env bash
# Turns the docs rendered by `packer-sdc renderdocs` into the layout of the Packer
# integrations site:
#   <rendered>/README.md                      -> <web-docs>/README.md
#   <rendered>/provisioners/sanitize.mdx      -> <web-docs>/components/provisioner/sanitize/README.md
#   <rendered>/post-processors/sanitize-verify.mdx
#                                             -> <web-docs>/components/post-processor/verify/README.md
# The slug is the component's registered name: the file name less "<plugin>-".
# Front matter and the top H1 are dropped (the site adds its own title).
#
# usage: compile-to-webdocs.sh RENDERED_DIR WEB_DOCS_DIR PLUGIN_NAME
set -euo pipefail

rendered=$1 webdocs=$2 plugin=$3

component_type() {
	case $1 in
	builders) echo builder ;;
	provisioners) echo provisioner ;;
	post-processors) echo post-processor ;;
	datasources) echo data-source ;;
	*) return 1 ;;
	esac
}

mkdir -p "$webdocs"
cp "$rendered/README.md" "$webdocs/README.md"
rm -rf "$webdocs/components"

find "$rendered" -mindepth 2 -maxdepth 2 -name '*.mdx' ! -name index.mdx | sort | while read -r file; do
	folder=$(basename "$(dirname "$file")")
	if ! type=$(component_type "$folder"); then
		echo "compile-to-webdocs: $file: unexpected folder $folder" >&2
		exit 1
	fi
	slug=$(basename "$file" .mdx)
	slug=${slug#"$plugin"-}
	out="$webdocs/components/$type/$slug"
	mkdir -p "$out"
	# Drop the front matter (--- ... ---), then the first H1 and the blank line after it.
	awk '
		NR == 1 && /^---$/ { fm = 1; next }
		fm { if (/^---$/) { fm = 0; skipblank = 1 }; next }
		skipblank && /^$/ { skipblank = 0; next }
		{ skipblank = 0 }
		!h1 && /^# / { h1 = 1; skipblank = 1; next }
		{ print }
	' "$file" >"$out/README.md"
	echo "compile-to-webdocs: $out/README.md"
done
