package alicloudfake

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// describeImages answers DescribeImages: the images of RegionId named by ImageId (a
// comma-separated list), with the status filter (default Available) and
// ImageOwnerAlias, paged.
func (e *ECS) describeImages(p url.Values) (map[string]any, *APIError) {
	statuses := splitList(p.Get("Status"))
	if len(statuses) == 0 {
		statuses = []string{"Available"}
	}
	ids := splitList(p.Get("ImageId"))
	page, size, perr := paging(p, 10)
	if perr != nil {
		return nil, perr
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var list []map[string]any
	keys := make([]string, 0, len(e.images))
	for k := range e.images {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		img := e.images[k]
		switch {
		case img.Region != p.Get("RegionId"),
			len(ids) > 0 && !slices.Contains(ids, img.ID),
			!slices.Contains(statuses, img.status()),
			p.Get("ImageOwnerAlias") != "" && !slices.Contains(splitList(p.Get("ImageOwnerAlias")), img.ownerAlias()):
			continue
		}
		list = append(list, img.describe())
	}
	total := len(list)
	from := min((page-1)*size, total)
	return map[string]any{"RegionId": p.Get("RegionId"), "TotalCount": total, "PageNumber": page, "PageSize": size,
		"Images": map[string]any{"Image": nonNil(list[from:min(from+size, total)])}}, nil
}

func (img *Image) status() string {
	if img.Status == "" {
		return "Available"
	}
	return img.Status
}

func (img *Image) ownerAlias() string {
	if img.OwnerAlias == "" {
		return "self"
	}
	return img.OwnerAlias
}

// describe is one image in DescribeImages' recorded shape. Note the quirks of the real
// answer: a disk's Size is a string, the image's an integer.
func (img *Image) describe() map[string]any {
	var disks []map[string]any
	size := 0
	for _, d := range img.Disks {
		disks = append(disks, map[string]any{"Device": d.Device, "SnapshotId": d.SnapshotID, "Size": strconv.Itoa(d.SizeGiB),
			"Type": d.Type, "Format": "", "ImportOSSBucket": "", "ImportOSSObject": "", "Progress": "100%", "RemainTime": 0, "Encrypted": false})
		if d.Type == "system" {
			size = d.SizeGiB
		}
	}
	var tags []map[string]any
	for _, k := range sortedKeys(img.Tags) {
		tags = append(tags, map[string]any{"TagKey": k, "TagValue": img.Tags[k]})
	}
	selfShared := ""
	if len(img.SharedAccounts) > 0 {
		selfShared = "true"
	}
	return map[string]any{
		"ImageId": img.ID, "ImageName": img.Name, "ImageOwnerAlias": img.ownerAlias(), "ImageOwnerId": img.OwnerID,
		"IsPublic": img.IsPublic, "IsSelfShared": selfShared, "Status": img.status(), "Progress": "100%", "Size": size,
		"OSType": "linux", "Platform": "Debian", "OSName": "Debian 12.5 64位", "OSNameEn": "Debian 12.5 64 bit",
		"Architecture": "x86_64", "BootMode": "BIOS", "Usage": "none", "IsCopied": false, "IsSubscribed": false,
		"IsSupportCloudinit": true, "IsSupportIoOptimized": true, "CreationTime": "2026-11-24T12:00:00Z",
		"Description": "", "ImageFamily": "", "ImageVersion": "", "ProductCode": "", "ResourceGroupId": "",
		"DiskDeviceMappings": map[string]any{"DiskDeviceMapping": nonNil(disks)},
		"Tags":               map[string]any{"Tag": nonNil(tags)},
	}
}

// describeSharePermission answers DescribeImageSharePermission: the accounts the image
// is shared with (paged) and its share groups ("all": a community image).
func (e *ECS) describeSharePermission(p url.Values) (map[string]any, *APIError) {
	id := p.Get("ImageId")
	if id == "" {
		return nil, &APIError{http.StatusBadRequest, "MissingImageId", "ImageId is mandatory for this action."}
	}
	page, size, perr := paging(p, 10)
	if perr != nil {
		return nil, perr
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	img := e.images[p.Get("RegionId")+"/"+id]
	if img == nil {
		return nil, &APIError{http.StatusNotFound, "InvalidImageId.NotFound", "The specified ImageId does not exist."}
	}
	var accounts, groups []map[string]any
	for _, a := range img.SharedAccounts {
		accounts = append(accounts, map[string]any{"AliyunId": a, "SharedTime": "2026-11-24T12:30:00Z"})
	}
	for _, g := range img.ShareGroups {
		groups = append(groups, map[string]any{"Group": g})
	}
	total := len(accounts)
	from := min((page-1)*size, total)
	return map[string]any{"RegionId": p.Get("RegionId"), "ImageId": id, "TotalCount": total, "PageNumber": page, "PageSize": size,
		"Accounts": map[string]any{"Account": nonNil(accounts[from:min(from+size, total)])}, "ShareGroups": map[string]any{"ShareGroup": nonNil(groups)}}, nil
}

// tagResources answers TagResources on images and snapshots, with ECS's limits.
func (e *ECS) tagResources(p url.Values) (map[string]any, *APIError) {
	ids, tags := indexed(p, "ResourceId"), map[string]string{}
	for i := 1; p.Has(fmt.Sprintf("Tag.%d.Key", i)); i++ {
		k, v := p.Get(fmt.Sprintf("Tag.%d.Key", i)), p.Get(fmt.Sprintf("Tag.%d.Value", i))
		if err := checkTag(k, v); err != nil {
			return nil, err
		}
		tags[k] = v
	}
	if len(tags) == 0 || len(tags) > 20 {
		return nil, &APIError{http.StatusBadRequest, "InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match."}
	}
	return e.changeTags(p.Get("RegionId"), p.Get("ResourceType"), ids, func(m map[string]string) {
		for k, v := range tags {
			m[k] = v
		}
	})
}

// untagResources answers UntagResources: TagKey.N, or All=true.
func (e *ECS) untagResources(p url.Values) (map[string]any, *APIError) {
	keys := indexed(p, "TagKey")
	all := p.Get("All") == "true"
	if len(keys) == 0 && !all {
		return nil, &APIError{http.StatusBadRequest, "MissingParameter", "The input parameter \"TagKey\" that is mandatory for processing this request is not supplied."}
	}
	return e.changeTags(p.Get("RegionId"), p.Get("ResourceType"), indexed(p, "ResourceId"), func(m map[string]string) {
		for k := range m {
			if all || slices.Contains(keys, k) {
				delete(m, k)
			}
		}
	})
}

// changeTags applies edit to every resource, or to none when one does not exist.
func (e *ECS) changeTags(region, kind string, ids []string, edit func(map[string]string)) (map[string]any, *APIError) {
	if len(ids) == 0 || len(ids) > 50 {
		return nil, &APIError{http.StatusBadRequest, "InvalidResourceId.Malformed", "The specified ResourceId.N is not valid: 1 to 50 resources."}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var targets []map[string]string
	for _, id := range ids {
		var m map[string]string
		switch kind {
		case "image":
			if img := e.images[region+"/"+id]; img != nil {
				m = img.Tags
			}
		case "snapshot":
			m = e.snapshots[id]
		default:
			return nil, &APIError{http.StatusBadRequest, "InvalidResourceType.NotFound", "The specified ResourceType is not found."}
		}
		if m == nil {
			return nil, &APIError{http.StatusNotFound, "InvalidResourceId.NotFound", "The specified ResourceIds are not found in our records."}
		}
		targets = append(targets, m)
	}
	for _, m := range targets {
		edit(m)
	}
	return map[string]any{}, nil
}

// checkTag applies ECS's tag rules.
func checkTag(k, v string) *APIError {
	lk, lv := strings.ToLower(k), strings.ToLower(v)
	switch {
	case k == "" || len([]rune(k)) > 128 || strings.HasPrefix(lk, "aliyun") || strings.HasPrefix(lk, "acs:") ||
		strings.Contains(lk, "http://") || strings.Contains(lk, "https://"):
		return &APIError{http.StatusBadRequest, "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid."}
	case len([]rune(v)) > 128 || strings.HasPrefix(lv, "aliyun") || strings.HasPrefix(lv, "acs:") ||
		strings.Contains(lv, "http://") || strings.Contains(lv, "https://"):
		return &APIError{http.StatusBadRequest, "InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid."}
	}
	return nil
}

// indexed reads the repeat list name.1, name.2, ….
func indexed(p url.Values, name string) []string {
	var out []string
	for i := 1; p.Has(fmt.Sprintf("%s.%d", name, i)); i++ {
		out = append(out, p.Get(fmt.Sprintf("%s.%d", name, i)))
	}
	return out
}

func paging(p url.Values, defaultSize int) (page, size int, err *APIError) {
	page, size = 1, defaultSize
	if s := p.Get("PageNumber"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 {
			return 0, 0, &APIError{http.StatusBadRequest, "InvalidPageNumber.Malformed", "The specified parameter PageNumber is not valid."}
		}
		page = n
	}
	if s := p.Get("PageSize"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > 100 {
			return 0, 0, &APIError{http.StatusBadRequest, "InvalidPageSize.Malformed", "The specified parameter PageSize is not valid."}
		}
		size = n
	}
	return page, size, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// nonNil keeps an empty list a JSON [] as the real service sends it.
func nonNil(l []map[string]any) []map[string]any {
	if l == nil {
		return []map[string]any{}
	}
	return l
}
