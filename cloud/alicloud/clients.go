package alicloud

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	ecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	sts "github.com/alibabacloud-go/sts-20150401/v2/client"
	"github.com/alibabacloud-go/tea/dara"
)

// Endpoints override the service endpoints ("" keeps Alibaba Cloud's): a host
// ("ecs-vpc.cn-hangzhou.aliyuncs.com", HTTPS) or a URL ("http://127.0.0.1:8080": tests
// point them at the alicloudfake servers).
type Endpoints struct {
	ECS string
	STS string
}

// Credentials are an AccessKey pair, with a security token for STS credentials.
type Credentials struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
}

// Settings are what every region shares: the credentials and the endpoints.
type Settings struct {
	// Credentials "" take, in order: ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY /
	// ALICLOUD_SECURITY_TOKEN (as the alicloud Packer plugin reads them), then the SDK's
	// default chain (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / ALIBABA_CLOUD_SECURITY_TOKEN,
	// the credentials file, the ECS instance's RAM role).
	Credentials Credentials
	Endpoints   Endpoints
}

// Clients are the service clients of one region.
type Clients struct {
	Region string
	ECS    *ecs.Client
	STS    *sts.Client
}

// Requests time out after these (milliseconds): a hung endpoint must not hang the build.
const (
	connectTimeoutMS = 10_000
	readTimeoutMS    = 60_000
)

// Connect builds the clients of region.
func Connect(region string, s Settings) (*Clients, error) {
	if region == "" {
		return nil, fmt.Errorf("alicloud: no region")
	}
	cfgFor := func(service, override string) (*openapi.Config, error) {
		cfg := &openapi.Config{RegionId: dara.String(region), ConnectTimeout: dara.Int(connectTimeoutMS), ReadTimeout: dara.Int(readTimeoutMS),
			// The classic RPC signature (HMAC-SHA1, parameters in the query and form).
			SignatureAlgorithm: dara.String("v2")}
		creds := s.Credentials.resolved()
		if creds.AccessKey != "" || creds.SecretKey != "" {
			if creds.AccessKey == "" || creds.SecretKey == "" {
				return nil, fmt.Errorf("alicloud: an access key needs both its id and its secret")
			}
			cfg.AccessKeyId, cfg.AccessKeySecret = dara.String(creds.AccessKey), dara.String(creds.SecretKey)
			if creds.SecurityToken != "" {
				cfg.SecurityToken = dara.String(creds.SecurityToken)
			}
		}
		if override != "" {
			host, scheme, err := ParseEndpoint(override)
			if err != nil {
				return nil, fmt.Errorf("alicloud: %s endpoint: %w", service, err)
			}
			cfg.Endpoint, cfg.Protocol = dara.String(host), dara.String(scheme)
		}
		return cfg, nil
	}
	ecsCfg, err := cfgFor("ecs", s.Endpoints.ECS)
	if err != nil {
		return nil, err
	}
	stsCfg, err := cfgFor("sts", s.Endpoints.STS)
	if err != nil {
		return nil, err
	}
	c := &Clients{Region: region}
	if c.ECS, err = ecs.NewClient(ecsCfg); err != nil {
		return nil, fmt.Errorf("alicloud: ECS client for %s: %w", region, err)
	}
	if c.STS, err = sts.NewClient(stsCfg); err != nil {
		return nil, fmt.Errorf("alicloud: STS client for %s: %w", region, err)
	}
	return c, nil
}

// resolved fills what the settings leave empty from the ALICLOUD_* variables.
func (c Credentials) resolved() Credentials {
	if c.AccessKey == "" && c.SecretKey == "" {
		c.AccessKey, c.SecretKey = os.Getenv("ALICLOUD_ACCESS_KEY"), os.Getenv("ALICLOUD_SECRET_KEY")
		if c.SecurityToken == "" {
			c.SecurityToken = os.Getenv("ALICLOUD_SECURITY_TOKEN")
		}
	}
	return c
}

// ParseEndpoint splits an endpoint override into the host and the scheme (https when
// only a host is given).
func ParseEndpoint(s string) (host, scheme string, err error) {
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return "", "", fmt.Errorf("%q is not a host or an http(s) URL without a path", s)
	}
	return u.Host, u.Scheme, nil
}

// Session hands out one Clients per region, made on first use: an artifact may hold
// images in several regions.
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
func (s *Session) Clients(region string) (*Clients, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.regions[region]; c != nil {
		return c, nil
	}
	c, err := Connect(region, s.settings)
	if err != nil {
		return nil, err
	}
	s.regions[region] = c
	return c, nil
}
