package aws

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ebs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Endpoints override the service endpoints ("" keeps AWS's). Tests point them at the
// awsfake servers; users may point them at VPC endpoints. The SDK's own
// AWS_ENDPOINT_URL_EC2 / _EBS / _STS variables work too.
type Endpoints struct {
	EC2 string `mapstructure:"ec2"`
	EBS string `mapstructure:"ebs"`
	STS string `mapstructure:"sts"`
}

// Settings are what every region shares: where credentials come from and the endpoints.
type Settings struct {
	// Profile selects a shared config profile; "" uses the standard chain (environment,
	// shared files' default profile, SSO, web identity, container or instance role).
	Profile   string
	Endpoints Endpoints
}

// Clients are the service clients of one region.
type Clients struct {
	Region string
	EC2    *ec2.Client
	EBS    *ebs.Client
	STS    *sts.Client
}

// LoadConfig loads credentials from the standard chain, for region.
func LoadConfig(ctx context.Context, region string, s Settings) (awssdk.Config, error) {
	if region == "" {
		return awssdk.Config{}, fmt.Errorf("aws: no region")
	}
	opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return awssdk.Config{}, fmt.Errorf("aws: loading the configuration for %s: %w", region, err)
	}
	return cfg, nil
}

// NewClients builds the clients of cfg.Region with the endpoint overrides.
func NewClients(cfg awssdk.Config, ep Endpoints) *Clients {
	return &Clients{
		Region: cfg.Region,
		EC2: ec2.NewFromConfig(cfg, func(o *ec2.Options) {
			setEndpoint(&o.BaseEndpoint, ep.EC2)
		}),
		STS: sts.NewFromConfig(cfg, func(o *sts.Options) {
			setEndpoint(&o.BaseEndpoint, ep.STS)
		}),
		EBS: ebs.NewFromConfig(cfg, func(o *ebs.Options) {
			setEndpoint(&o.BaseEndpoint, ep.EBS)
			// ebsread retries, counts and backs off itself; the SDK's retryer would
			// multiply the attempts and hide them from the stats.
			o.Retryer, o.RetryMaxAttempts = awssdk.NopRetryer{}, 0
			// Parallel block fetches need more than the default 10 idle connections.
			if bc, ok := o.HTTPClient.(*awshttp.BuildableClient); ok {
				o.HTTPClient = bc.WithTransportOptions(func(t *http.Transport) { t.MaxIdleConnsPerHost = 64 })
			}
		}),
	}
}

func setEndpoint(dst **string, url string) {
	if url != "" {
		*dst = &url
	}
}

// Connect is LoadConfig then NewClients.
func Connect(ctx context.Context, region string, s Settings) (*Clients, error) {
	cfg, err := LoadConfig(ctx, region, s)
	if err != nil {
		return nil, err
	}
	return NewClients(cfg, s.Endpoints), nil
}

// Session hands out one Clients per region, made on first use: an artifact may hold
// AMIs in several regions.
type Session struct {
	settings Settings
	mu       sync.Mutex
	regions  map[string]*Clients
}

// NewSession returns a Session using s for every region.
func NewSession(s Settings) *Session {
	return &Session{settings: s, regions: map[string]*Clients{}}
}

// Clients returns the clients of region.
func (s *Session) Clients(ctx context.Context, region string) (*Clients, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.regions[region]; c != nil {
		return c, nil
	}
	c, err := Connect(ctx, region, s.settings)
	if err != nil {
		return nil, err
	}
	s.regions[region] = c
	return c, nil
}
