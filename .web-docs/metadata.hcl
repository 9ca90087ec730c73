# Integration metadata for the Packer integrations site. Hand-written: `make generate`
# rewrites README.md and components/ beside this file, never this file.
# TODO: add a license { type, url } block once the repository has a LICENSE file.
integration {
  name        = "Sanitize"
  description = "Removes credential residue from golden images and verifies that it is gone."
  identifier  = "packer/goldenimage/sanitize"
  docs {
    process_docs    = true
    readme_location = "./README.md"
    external_url    = "https://github.com/goldenimage/packer-plugin-sanitize"
  }
  component {
    type = "provisioner"
    name = "Sanitize"
    slug = "sanitize"
  }
  component {
    type = "post-processor"
    name = "Sanitize Verify"
    slug = "verify"
  }
}
