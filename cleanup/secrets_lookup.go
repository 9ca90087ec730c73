package cleanup

// LookupSecretRule returns the content scan's rule with that ID, so that other scanners
// (the post-processor's deep scan of raw volumes) match exactly what the content scan does.
func LookupSecretRule(id string) (SecretRule, bool) {
	for _, r := range secretRules {
		if r.ID == id {
			return r, true
		}
	}
	return SecretRule{}, false
}

// IsAllowedSecret tells a documented example value (AWS's AKIAIOSFODNN7EXAMPLE) from a
// secret, as the content scan does.
func IsAllowedSecret(secret []byte) bool { return allowedSecret(secret) }

// RedactSecret is the content scan's redacted preview: at most the first 4 characters of
// a long secret, and its length.
func RedactSecret(secret []byte) string { return redact(secret) }
