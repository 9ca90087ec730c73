# Docs, code generation and release checks. Included from GNUmakefile:
#   include mk/docs.mk
#
#   make install-packer-sdc   packer-sdc at the SDK version of go.mod, into $(go env GOPATH)/bin
#   make generate             go generate (hcl2spec, docs partials), docs tables, .web-docs/
#   make plugin-check         build the binary and run `packer-sdc plugin-check` on it
#   make ci-release-docs      docs.zip for the release (.goreleaser.yml hook)

# Recursively expanded (=): the go look-ups run only when a target here needs them.
PLUGIN_BINARY   ?= $(or $(BINARY),packer-plugin-sanitize)
SDK_MODULE      = github.com/hashicorp/packer-plugin-sdk
SDK_VERSION     ?= $(shell go list -m -f '{{.Version}}' $(SDK_MODULE))
SDC_BIN         = $(shell go env GOPATH)/bin
PACKER_SDC      = $(SDC_BIN)/packer-sdc

# packer-sdc struct-markdown finds the project root by walking up to a directory named
# packer-plugin-*; anywhere else it never returns. When the checkout has another name,
# generation runs through a symlink of that name (the shell's `cd` keeps the logical path
# in $PWD, and go uses it).
ifneq ($(filter packer-plugin-%,$(notdir $(CURDIR))),)
GEN_ROOT := $(CURDIR)
else
GEN_LINK_DIR := $(or $(TMPDIR),/tmp)/sanitize-generate-$(shell id -u)
GEN_ROOT     := $(GEN_LINK_DIR)/packer-plugin-sanitize
endif

.PHONY: install-packer-sdc generate gen-root plugin-check ci-release-docs

# The module proxy refuses the version listing that `go install mod@version` asks for;
# the local file proxy (the module cache) answers it, the remote one serves the rest.
install-packer-sdc:
	@cd / && go mod download $(SDK_MODULE)@$(SDK_VERSION)
	cd / && GOPROXY="file://$$(go env GOMODCACHE)/cache/download,$$(go env GOPROXY)" \
		go install $(SDK_MODULE)/cmd/packer-sdc@$(SDK_VERSION)

gen-root:
ifdef GEN_LINK_DIR
	@mkdir -p "$(GEN_LINK_DIR)" && ln -sfn "$(CURDIR)" "$(GEN_ROOT)"
endif

generate: install-packer-sdc gen-root
	cd "$(GEN_ROOT)" && PATH="$(SDC_BIN):$$PATH" go generate ./...
	go run ./cmd/gendocs
	rm -rf .docs
	"$(PACKER_SDC)" renderdocs -src docs -partials docs-partials -dst .docs/
	./.web-docs/scripts/compile-to-webdocs.sh .docs .web-docs sanitize
	rm -rf .docs

plugin-check: install-packer-sdc
	go build -o $(PLUGIN_BINARY) .
	"$(PACKER_SDC)" plugin-check $(PLUGIN_BINARY)

# The rendered docs (partials included) as docs.zip, attached to a release.
ci-release-docs: install-packer-sdc
	rm -rf .docs docs.zip
	"$(PACKER_SDC)" renderdocs -src docs -partials docs-partials -dst .docs/docs/
	cd .docs && zip -qr ../docs.zip docs
	rm -rf .docs
