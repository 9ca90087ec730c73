//go:generate packer-sdc struct-markdown

package postprocessor

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	cloudaws "github.com/goldenimage/packer-plugin-sanitize/cloud/aws"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ebsread"
)

// Defaults of the aws block.
const (
	DefaultAWSReadWorkers = 16
	DefaultAWSCacheMB     = 128
)

// AWSConfig is the `aws { ... }` block: how AMIs (artifacts of the amazon builders) are
// read and judged. The region is the artifact's: every AMI is read in its own region.
type AWSConfig struct {
	// The shared config profile (`~/.aws/config`) to take credentials from. Default: the
	// standard chain: `AWS_*` environment variables, the shared files' default profile,
	// SSO, web identity, the container or instance role. Give the post-processor a role
	// with the minimal policy of the docs, never the account's root user.
	Profile string `mapstructure:"profile"`
	// Endpoint URL overrides for EC2, the EBS direct APIs and STS: a VPC endpoint, or a
	// local fake in tests. Default: AWS's endpoint of the artifact's region. The SDK's
	// `AWS_ENDPOINT_URL_EC2`, `_EBS` and `_STS` variables work too.
	EndpointEC2 string `mapstructure:"endpoint_ec2"`
	EndpointEBS string `mapstructure:"endpoint_ebs"`
	EndpointSTS string `mapstructure:"endpoint_sts"`
	// Accounts (12 digits) that may launch the AMI and create volumes from its snapshots.
	// The AMI's owner is always allowed. Sharing with any other account, or making the AMI
	// or a snapshot public, is a finding (`ami-shared`, `snapshot-shared`: high;
	// `ami-public`, `snapshot-public`: critical) that fails the build even when every
	// filesystem is clean.
	AllowedAccountIDs []string `mapstructure:"allowed_account_ids"`
	// Organizations (`arn:aws:organizations::123456789012:organization/o-…`) and OUs
	// (`…:ou/o-…/ou-…`) that may launch the AMI. An OU inside an allowed organization is
	// allowed.
	AllowedOrganizationARNs []string `mapstructure:"allowed_organization_arns"`
	// Run even with the account's root credentials (`sts:GetCallerIdentity` ARN ending in
	// `:root`). Default: `false`: the build fails before anything is read, since a role with
	// the minimal policy of the docs does the job.
	AllowRootCredentials bool `mapstructure:"allow_root_credentials"`
	// How many EBS blocks (512 KiB each) are fetched in parallel per snapshot. Default: `16`.
	ReadWorkers int `mapstructure:"read_workers"`
	// The block cache of each snapshot, in MiB. Default: `128`.
	CacheMB int `mapstructure:"cache_mb"`
}

func (a *AWSConfig) settings() cloudaws.Settings {
	return cloudaws.Settings{Profile: a.Profile, Endpoints: cloudaws.Endpoints{EC2: a.EndpointEC2, EBS: a.EndpointEBS, STS: a.EndpointSTS}}
}

func (a *AWSConfig) policy() ami.Policy {
	return ami.Policy{AllowedAccountIDs: a.AllowedAccountIDs, AllowedOrganizationARNs: a.AllowedOrganizationARNs}
}

func (a *AWSConfig) readOptions() ebsread.Options {
	return ebsread.Options{Workers: a.ReadWorkers, CacheBytes: int64(a.CacheMB) << 20}
}

var (
	accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)
	orgARNRE    = regexp.MustCompile(`^arn:aws[a-z-]*:organizations::[0-9]{12}:(organization/o-[a-z0-9]{10,32}|ou/o-[a-z0-9]{10,32}/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$`)
)

// prepare applies the defaults and returns every configuration error.
func (a *AWSConfig) prepare() []error {
	if a.ReadWorkers == 0 {
		a.ReadWorkers = DefaultAWSReadWorkers
	}
	if a.CacheMB == 0 {
		a.CacheMB = DefaultAWSCacheMB
	}
	var errs []error
	if a.ReadWorkers < 1 || a.ReadWorkers > 256 {
		errs = append(errs, fmt.Errorf("aws.read_workers: %d is not between 1 and 256", a.ReadWorkers))
	}
	if a.CacheMB < 1 || a.CacheMB > 16<<10 {
		errs = append(errs, fmt.Errorf("aws.cache_mb: %d is not between 1 and 16384", a.CacheMB))
	}
	for _, ep := range []struct{ name, url string }{{"endpoint_ec2", a.EndpointEC2}, {"endpoint_ebs", a.EndpointEBS}, {"endpoint_sts", a.EndpointSTS}} {
		if ep.url == "" {
			continue
		}
		if u, err := url.Parse(ep.url); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("aws.%s: %q is not an http(s) URL", ep.name, ep.url))
		}
	}
	for i, id := range a.AllowedAccountIDs {
		if !accountIDRE.MatchString(id) {
			errs = append(errs, fmt.Errorf("aws.allowed_account_ids[%d]: %q is not a 12-digit account ID", i, id))
		}
	}
	for i, arn := range a.AllowedOrganizationARNs {
		if !orgARNRE.MatchString(arn) {
			errs = append(errs, fmt.Errorf("aws.allowed_organization_arns[%d]: %q is not an organization or OU ARN", i, arn))
		}
	}
	return errs
}

// validateTagMap applies EC2's tag limits to approve_tags or quarantine_tags, so that a
// bad key fails at configure time rather than after the image was read.
func validateTagMap(field string, tags map[string]string) []error {
	var errs []error
	for k, v := range tags {
		switch {
		case strings.TrimSpace(k) == "":
			errs = append(errs, fmt.Errorf("%s: empty tag key", field))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			errs = append(errs, fmt.Errorf("%s: tag key %q: the aws: prefix is reserved", field, k))
		case k == ami.VerifiedTag:
			errs = append(errs, fmt.Errorf("%s: %s is written by the plugin (report digest and time)", field, ami.VerifiedTag))
		case utf8.RuneCountInString(k) > 128:
			errs = append(errs, fmt.Errorf("%s: tag key %q is longer than 128 characters", field, k))
		case utf8.RuneCountInString(v) > 256:
			errs = append(errs, fmt.Errorf("%s: the value of tag %q is longer than 256 characters", field, k))
		}
	}
	return errs
}

// prepareCloud checks what the cloud gates need: tags, the quarantine mode, the aws block.
func (c *Config) prepareCloud() []error {
	errs := c.AWS.prepare()
	errs = append(errs, c.Alicloud.prepare(c.AlicloudVerifyMode)...)
	errs = append(errs, validateTagMap("approve_tags", c.ApproveTags)...)
	errs = append(errs, validateTagMap("quarantine_tags", c.QuarantineTags)...)
	if c.OnResidue == "quarantine" && len(c.QuarantineTags) == 0 {
		errs = append(errs, fmt.Errorf(`on_residue = "quarantine" needs quarantine_tags (for example { "sanitize:status" = "quarantined" })`))
	}
	return errs
}

// isImageCheck tells the cloud image-level check IDs, which allow rules may name.
func isImageCheck(id string) bool {
	for _, c := range ami.Checks {
		if c.ID == id {
			return true
		}
	}
	return false
}
