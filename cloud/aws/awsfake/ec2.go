package awsfake

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// EC2 fakes the EC2 Query API calls the plugin makes: DescribeImages,
// DescribeImageAttribute (launchPermission), DescribeSnapshotAttribute
// (createVolumePermission), CreateTags and DeleteTags. Tag calls change the state (a
// later DescribeImages shows them) and are recorded.
type EC2 struct {
	mu        sync.Mutex
	images    map[string]*Image
	snapshots map[string]*Snapshot
	calls     []TagCall
	actions   map[string]int
	auth      authLog
}

// Image is an AMI as the fake holds it.
type Image struct {
	ID, Name, OwnerID string
	State             string // "available" when empty
	Public            bool
	LaunchPermissions []Permission
	Devices           []Device
	Tags              map[string]string
}

// Device is one block device mapping; SnapshotID "" makes it an instance-store one.
type Device struct {
	Name       string
	SnapshotID string
	SizeGiB    int
	Encrypted  bool
	KMSKeyID   string
}

// Snapshot is an EBS snapshot's sharing and tags.
type Snapshot struct {
	ID                      string
	CreateVolumePermissions []Permission // Group "all" or UserID only, as EC2 allows
	Tags                    map[string]string
}

// Permission is one launchPermission or createVolumePermission entry.
type Permission struct {
	Group, UserID, OrganizationARN, OrganizationalUnitARN string
}

// TagCall is one recorded CreateTags or DeleteTags call.
type TagCall struct {
	Action    string
	Resources []string
	Tags      map[string]string // CreateTags: key -> value; DeleteTags: key -> value or ""
}

// NewEC2 returns an empty fake.
func NewEC2() *EC2 {
	return &EC2{images: map[string]*Image{}, snapshots: map[string]*Snapshot{}, actions: map[string]int{}}
}

// AddImage adds or replaces an AMI. Snapshots its devices name are added too when
// missing (private, untagged).
func (e *EC2) AddImage(img Image) {
	e.mu.Lock()
	defer e.mu.Unlock()
	img.Tags = maps.Clone(img.Tags)
	if img.Tags == nil {
		img.Tags = map[string]string{}
	}
	e.images[img.ID] = &img
	for _, d := range img.Devices {
		if d.SnapshotID != "" && e.snapshots[d.SnapshotID] == nil {
			e.snapshots[d.SnapshotID] = &Snapshot{ID: d.SnapshotID, Tags: map[string]string{}}
		}
	}
}

// AddSnapshot adds or replaces a snapshot's sharing and tags.
func (e *EC2) AddSnapshot(s Snapshot) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s.Tags = maps.Clone(s.Tags)
	if s.Tags == nil {
		s.Tags = map[string]string{}
	}
	e.snapshots[s.ID] = &s
}

// ImageTags returns the current tags of an AMI.
func (e *EC2) ImageTags(id string) map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if img := e.images[id]; img != nil {
		return maps.Clone(img.Tags)
	}
	return nil
}

// SnapshotTags returns the current tags of a snapshot.
func (e *EC2) SnapshotTags(id string) map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.snapshots[id]; s != nil {
		return maps.Clone(s.Tags)
	}
	return nil
}

// TagCalls returns the recorded CreateTags and DeleteTags calls, in order.
func (e *EC2) TagCalls() []TagCall {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.calls)
}

// Actions counts the calls by Action.
func (e *EC2) Actions() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.actions)
}

// AccessKeys lists the access key ids that signed requests to the fake.
func (e *EC2) AccessKeys() []string { return e.auth.accessKeys() }

// SignedRegions lists the regions requests were signed for.
func (e *EC2) SignedRegions() []string { return e.auth.signedRegions() }

// ServeHTTP dispatches on the form's Action, as the EC2 Query API does.
func (e *EC2) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !e.auth.check(w, r, ec2Error) {
		return
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		ec2Error(w, http.StatusBadRequest, "InvalidRequest", "expected a form-encoded POST")
		return
	}
	action := r.PostForm.Get("Action")
	e.mu.Lock()
	defer e.mu.Unlock()
	e.actions[action]++
	handlers := map[string]func(http.ResponseWriter, formValues){
		"DescribeImages":            e.describeImages,
		"DescribeImageAttribute":    e.describeImageAttribute,
		"DescribeSnapshotAttribute": e.describeSnapshotAttribute,
		"CreateTags":                e.createTags,
		"DeleteTags":                e.deleteTags,
	}
	h := handlers[action]
	if h == nil {
		ec2Error(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", action))
		return
	}
	h(w, formValues(r.PostForm))
}

// formValues reads the Query protocol's flattened lists ("ImageId.1", "Tag.2.Key").
type formValues map[string][]string

func (f formValues) get(key string) string {
	if v := f[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (f formValues) list(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := f[fmt.Sprintf("%s.%d", prefix, i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// tags reads Tag.N.Key / Tag.N.Value pairs; a missing value reads as "".
func (f formValues) tags() map[string]string {
	out := map[string]string{}
	for i := 1; ; i++ {
		k, ok := f[fmt.Sprintf("Tag.%d.Key", i)]
		if !ok || len(k) == 0 {
			return out
		}
		out[k[0]] = f.get(fmt.Sprintf("Tag.%d.Value", i))
	}
}

// tagsOf returns the tag map of an AMI or snapshot id, or nil when unknown. Caller holds mu.
func (e *EC2) tagsOf(id string) map[string]string {
	switch {
	case strings.HasPrefix(id, "ami-") && e.images[id] != nil:
		return e.images[id].Tags
	case strings.HasPrefix(id, "snap-") && e.snapshots[id] != nil:
		return e.snapshots[id].Tags
	}
	return nil
}
