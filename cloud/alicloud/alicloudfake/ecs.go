package alicloudfake

import (
	"maps"
	"net/http"
	"sync"
)

// ECS fakes the ECS API (version 2014-05-26) calls the plugin makes: DescribeImages,
// DescribeImageSharePermission, TagResources and UntagResources on images and
// snapshots, and for launch mode CreateKeyPair, RunInstances, DescribeInstances,
// DeleteInstance and DeleteKeyPairs (ecs_launch.go). Tag calls change the state: a later
// DescribeImages shows them.
type ECS struct {
	rpc
	mu        sync.Mutex
	images    map[string]*Image // by region + "/" + id
	snapshots map[string]map[string]string
	launch    launchState
}

// Image is a custom image as the fake holds it.
type Image struct {
	Region, ID, Name string
	OwnerID          int64
	OwnerAlias       string // "self" when empty
	Status           string // "Available" when empty
	IsPublic         bool
	Disks            []Disk
	// SharedAccounts are the Alibaba Cloud account IDs it is shared with
	// (ModifyImageSharePermission AddAccount); ShareGroups holds "all" when the image is
	// published as a community image.
	SharedAccounts []string
	ShareGroups    []string
	Tags           map[string]string
}

// Disk is one disk device mapping of an image.
type Disk struct {
	Device, SnapshotID, Type string // Type "system" or "data"
	SizeGiB                  int
}

// NewECS returns an empty fake.
func NewECS() *ECS {
	return &ECS{rpc: rpc{host: "ecs.aliyuncs.com", version: "2014-05-26"},
		images: map[string]*Image{}, snapshots: map[string]map[string]string{}}
}

// AddImage adds or replaces an image; the snapshots of its disks are added untagged
// when missing.
func (e *ECS) AddImage(img Image) {
	e.mu.Lock()
	defer e.mu.Unlock()
	img.Tags = maps.Clone(img.Tags)
	if img.Tags == nil {
		img.Tags = map[string]string{}
	}
	e.images[img.Region+"/"+img.ID] = &img
	for _, d := range img.Disks {
		if e.snapshots[d.SnapshotID] == nil {
			e.snapshots[d.SnapshotID] = map[string]string{}
		}
	}
}

// ImageTags returns the current tags of an image.
func (e *ECS) ImageTags(region, id string) map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if img := e.images[region+"/"+id]; img != nil {
		return maps.Clone(img.Tags)
	}
	return nil
}

// SnapshotTags returns the current tags of a snapshot.
func (e *ECS) SnapshotTags(id string) map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.snapshots[id])
}

// SetSnapshotTags replaces a snapshot's tags (tags the builder put, say).
func (e *ECS) SetSnapshotTags(id string, tags map[string]string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.snapshots[id] = maps.Clone(tags)
}

func (e *ECS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	action, p, ok := e.parse(w, r)
	if !ok {
		return
	}
	if p.Get("RegionId") == "" && action != "DeleteInstance" { // DeleteInstance takes no RegionId
		e.fail(w, APIError{http.StatusBadRequest, "MissingRegionId", "RegionId is mandatory for this action."})
		return
	}
	var body map[string]any
	var err *APIError
	switch action {
	case "DescribeImages":
		body, err = e.describeImages(p)
	case "DescribeImageSharePermission":
		body, err = e.describeSharePermission(p)
	case "TagResources":
		body, err = e.tagResources(p)
	case "UntagResources":
		body, err = e.untagResources(p)
	default:
		var handled bool
		body, err, handled = e.launchAction(action, p)
		if !handled {
			err = &APIError{http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."}
		}
	}
	if err != nil {
		e.fail(w, *err)
		return
	}
	e.ok(w, body)
}
