package route53

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/model"
)

// Zone limits (reference §10).
const (
	maxHostedZones     = 500
	maxZonesPage       = 100
	maxCallerReference = 128
	maxComment         = 256
	defaultSOATTL      = 900
	defaultNSTTL       = 172800
)

type createHostedZoneRequest struct {
	Name             string               `xml:"Name"`
	VPC              *xmlVPC              `xml:"VPC"`
	CallerReference  string               `xml:"CallerReference"`
	HostedZoneConfig *xmlHostedZoneConfig `xml:"HostedZoneConfig"`
	DelegationSetID  string               `xml:"DelegationSetId"`
}

type createHostedZoneResponse struct {
	XMLName       xml.Name         `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateHostedZoneResponse"`
	HostedZone    xmlHostedZone    `xml:"HostedZone"`
	ChangeInfo    xmlChangeInfo    `xml:"ChangeInfo"`
	DelegationSet xmlDelegationSet `xml:"DelegationSet"`
}

func (a *API) createHostedZone(w http.ResponseWriter, r *http.Request) error {
	var req createHostedZoneRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	z, err := a.newZone(&req)
	if err != nil {
		return err
	}
	zones, err := a.opts.Catalog.Zones(r.Context())
	if err != nil {
		return err
	}
	if len(zones) >= maxHostedZones {
		return errorf(http.StatusBadRequest, "TooManyHostedZones", "This operation would exceed the limit of %d hosted zones.", maxHostedZones)
	}
	ch := a.newChange("")
	if err := a.opts.Catalog.CreateZone(r.Context(), z, a.apexRecords(&z), &ch); err != nil {
		if errors.Is(err, catalog.ErrZoneRefExists) {
			return errorf(http.StatusConflict, "HostedZoneAlreadyExists",
				"A hosted zone has already been created with the specified caller reference.")
		}
		return err
	}
	z.RecordSetCount = 2
	w.Header().Set("Location", scheme(r)+"://"+r.Host+prefix+"/hostedzone/"+z.ID)
	writeXML(w, http.StatusCreated, createHostedZoneResponse{
		HostedZone: zoneXML(&z), ChangeInfo: a.changeXML(&ch),
		DelegationSet: xmlDelegationSet{NameServers: apiNames(z.NameServers)},
	})
	return nil
}

// HostedZoneConfigComment returns the comment of the request, if any.
func (req *createHostedZoneRequest) HostedZoneConfigComment() string {
	if req.HostedZoneConfig == nil {
		return ""
	}
	return req.HostedZoneConfig.Comment
}

func (a *API) newZone(req *createHostedZoneRequest) (model.HostedZone, error) {
	var z model.HostedZone
	if req.CallerReference == "" || len(req.CallerReference) > maxCallerReference {
		return z, invalidInput("Invalid parameter : CallerReference must be 1 to %d characters", maxCallerReference)
	}
	if req.VPC != nil || (req.HostedZoneConfig != nil && req.HostedZoneConfig.PrivateZone) {
		return z, invalidInput("Invalid parameter : private hosted zones (VPC) are not supported by this server yet")
	}
	if req.DelegationSetID != "" {
		return z, errorf(http.StatusNotFound, "NoSuchDelegationSet", "Reusable delegation sets are not supported; no delegation set %s exists", req.DelegationSetID)
	}
	name, err := model.ParseAPIName(req.Name)
	if err != nil || name == "." || len(req.Name) > 1024 {
		return z, errorf(http.StatusBadRequest, "InvalidDomainName", "%s is an invalid domain name", req.Name)
	}
	comment := req.HostedZoneConfigComment()
	if len(comment) > maxComment {
		return z, invalidInput("Invalid parameter : Comment is longer than %d characters", maxComment)
	}
	return model.HostedZone{
		ID: a.opts.NewID("Z"), Name: name, CallerReference: req.CallerReference, Comment: comment,
		NameServers: a.opts.NameServers, CreatedAt: a.opts.Now().UTC(),
	}, nil
}

// apexRecords returns the default SOA and NS record sets of a new zone.
func (a *API) apexRecords(z *model.HostedZone) []model.RecordSet {
	soaTTL, nsTTL := int64(defaultSOATTL), int64(defaultNSTTL)
	soa := fmt.Sprintf("%s hostmaster.%s 1 7200 900 1209600 86400", z.NameServers[0], z.Name)
	return []model.RecordSet{
		{Name: z.Name, Type: "SOA", TTL: &soaTTL, Values: []string{soa}},
		{Name: z.Name, Type: "NS", TTL: &nsTTL, Values: append([]string(nil), z.NameServers...)},
	}
}

func apiNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = model.APIName(n)
	}
	return out
}

type getHostedZoneResponse struct {
	XMLName       xml.Name         `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHostedZoneResponse"`
	HostedZone    xmlHostedZone    `xml:"HostedZone"`
	DelegationSet xmlDelegationSet `xml:"DelegationSet"`
}

func (a *API) zone(r *http.Request) (model.HostedZone, error) {
	id := bareID(r.PathValue("id"))
	z, _, err := a.opts.Catalog.Zone(r.Context(), id)
	if errors.Is(err, catalog.ErrNoSuchZone) {
		return z, noSuchZone(id)
	}
	return z, err
}

func (a *API) getHostedZone(w http.ResponseWriter, r *http.Request) error {
	z, err := a.zone(r)
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, getHostedZoneResponse{HostedZone: zoneXML(&z), DelegationSet: xmlDelegationSet{NameServers: apiNames(z.NameServers)}})
	return nil
}

type updateHostedZoneCommentRequest struct {
	Comment string `xml:"Comment"`
}

type updateHostedZoneCommentResponse struct {
	XMLName    xml.Name      `xml:"https://route53.amazonaws.com/doc/2013-04-01/ UpdateHostedZoneCommentResponse"`
	HostedZone xmlHostedZone `xml:"HostedZone"`
}

func (a *API) updateHostedZoneComment(w http.ResponseWriter, r *http.Request) error {
	var req updateHostedZoneCommentRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if len(req.Comment) > maxComment {
		return invalidInput("Invalid parameter : Comment is longer than %d characters", maxComment)
	}
	id := bareID(r.PathValue("id"))
	z, err := a.opts.Catalog.UpdateComment(r.Context(), id, req.Comment)
	if errors.Is(err, catalog.ErrNoSuchZone) {
		return noSuchZone(id)
	}
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, updateHostedZoneCommentResponse{HostedZone: zoneXML(&z)})
	return nil
}

type changeInfoResponse struct {
	XMLName    xml.Name
	ChangeInfo xmlChangeInfo `xml:"ChangeInfo"`
}

func changeResponse(op string, ci xmlChangeInfo) changeInfoResponse {
	return changeInfoResponse{XMLName: xml.Name{Space: Namespace, Local: op + "Response"}, ChangeInfo: ci}
}

func (a *API) deleteHostedZone(w http.ResponseWriter, r *http.Request) error {
	id := bareID(r.PathValue("id"))
	ch := a.newChange("")
	err := a.opts.Catalog.DeleteZone(r.Context(), id, &ch)
	switch {
	case errors.Is(err, catalog.ErrNoSuchZone):
		return noSuchZone(id)
	case errors.Is(err, catalog.ErrZoneNotEmpty):
		return errorf(http.StatusBadRequest, "HostedZoneNotEmpty",
			"The specified hosted zone contains non-required resource record sets and so cannot be deleted.")
	case err != nil:
		return err
	}
	writeXML(w, http.StatusOK, changeResponse("DeleteHostedZone", a.changeXML(&ch)))
	return nil
}

type getHostedZoneCountResponse struct {
	XMLName         xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHostedZoneCountResponse"`
	HostedZoneCount int64    `xml:"HostedZoneCount"`
}

func (a *API) getHostedZoneCount(w http.ResponseWriter, r *http.Request) error {
	zones, err := a.opts.Catalog.Zones(r.Context())
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, getHostedZoneCountResponse{HostedZoneCount: int64(len(zones))})
	return nil
}

type listHostedZonesResponse struct {
	XMLName     xml.Name        `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHostedZonesResponse"`
	HostedZones []xmlHostedZone `xml:"HostedZones>HostedZone"`
	Marker      string          `xml:"Marker,omitempty"`
	IsTruncated bool            `xml:"IsTruncated"`
	NextMarker  string          `xml:"NextMarker,omitempty"`
	MaxItems    string          `xml:"MaxItems"`
}

// maxItems parses the maxitems parameter: default and upper bound max.
func maxItems(r *http.Request, max int) (int, error) {
	s := r.URL.Query().Get("maxitems")
	if s == "" {
		return max, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, invalidInput("Invalid parameter : maxitems must be a positive integer")
	}
	return min(n, max), nil
}

func (a *API) listHostedZones(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("delegationsetid") != "" {
		return errorf(http.StatusNotFound, "NoSuchDelegationSet", "Reusable delegation sets are not supported")
	}
	if t := q.Get("hostedzonetype"); t != "" && t != "PrivateHostedZone" {
		return invalidInput("Invalid parameter : hostedzonetype must be PrivateHostedZone")
	}
	n, err := maxItems(r, maxZonesPage)
	if err != nil {
		return err
	}
	zones, err := a.opts.Catalog.Zones(r.Context()) // in id order
	if err != nil {
		return err
	}
	if q.Get("hostedzonetype") == "PrivateHostedZone" {
		zones = nil // no private zones yet
	}
	marker := bareID(q.Get("marker"))
	start := sort.Search(len(zones), func(i int) bool { return zones[i].ID >= marker })
	resp := listHostedZonesResponse{Marker: q.Get("marker"), MaxItems: strconv.Itoa(n), HostedZones: []xmlHostedZone{}}
	for i := start; i < len(zones); i++ {
		if len(resp.HostedZones) == n {
			resp.IsTruncated, resp.NextMarker = true, zones[i].ID
			break
		}
		resp.HostedZones = append(resp.HostedZones, zoneXML(&zones[i]))
	}
	writeXML(w, http.StatusOK, resp)
	return nil
}

type listHostedZonesByNameResponse struct {
	XMLName          xml.Name        `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHostedZonesByNameResponse"`
	HostedZones      []xmlHostedZone `xml:"HostedZones>HostedZone"`
	DNSName          string          `xml:"DNSName,omitempty"`
	HostedZoneID     string          `xml:"HostedZoneId,omitempty"`
	IsTruncated      bool            `xml:"IsTruncated"`
	NextDNSName      string          `xml:"NextDNSName,omitempty"`
	NextHostedZoneID string          `xml:"NextHostedZoneId,omitempty"`
	MaxItems         string          `xml:"MaxItems"`
}

func (a *API) listHostedZonesByName(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	n, err := maxItems(r, maxZonesPage)
	if err != nil {
		return err
	}
	startName, startID := "", bareID(q.Get("hostedzoneid"))
	if s := q.Get("dnsname"); s != "" {
		c, err := model.ParseAPIName(s)
		if err != nil {
			return errorf(http.StatusBadRequest, "InvalidDomainName", "%s is an invalid domain name", s)
		}
		startName = model.ReverseSortKey(model.APIName(c))
	} else if startID != "" {
		return invalidInput("Invalid parameter : hostedzoneid requires dnsname")
	}
	zones, err := a.opts.Catalog.Zones(r.Context())
	if err != nil {
		return err
	}
	key := func(z *model.HostedZone) string { return model.ReverseSortKey(model.APIName(z.Name)) }
	sort.SliceStable(zones, func(i, j int) bool {
		ki, kj := key(&zones[i]), key(&zones[j])
		return ki < kj || ki == kj && zones[i].ID < zones[j].ID
	})
	resp := listHostedZonesByNameResponse{DNSName: q.Get("dnsname"), HostedZoneID: q.Get("hostedzoneid"), MaxItems: strconv.Itoa(n), HostedZones: []xmlHostedZone{}}
	for i := range zones {
		k := key(&zones[i])
		if k < startName || (k == startName && startID != "" && zones[i].ID < startID) {
			continue
		}
		if len(resp.HostedZones) == n {
			resp.IsTruncated, resp.NextDNSName, resp.NextHostedZoneID = true, model.APIName(zones[i].Name), zones[i].ID
			break
		}
		resp.HostedZones = append(resp.HostedZones, zoneXML(&zones[i]))
	}
	writeXML(w, http.StatusOK, resp)
	return nil
}

type xmlLimit struct {
	Type  string `xml:"Type"`
	Value int64  `xml:"Value"`
}

type limitResponse struct {
	XMLName xml.Name
	Limit   xmlLimit `xml:"Limit"`
	Count   int64    `xml:"Count"`
}

func (a *API) getHostedZoneLimit(w http.ResponseWriter, r *http.Request) error {
	z, err := a.zone(r)
	if err != nil {
		return err
	}
	switch t := r.PathValue("type"); t {
	case "MAX_RRSETS_BY_ZONE":
		writeXML(w, http.StatusOK, limitResponse{XMLName: xml.Name{Space: Namespace, Local: "GetHostedZoneLimitResponse"},
			Limit: xmlLimit{t, model.MaxRecordsPerZone}, Count: z.RecordSetCount})
		return nil
	case "MAX_VPCS_ASSOCIATED_BY_ZONE":
		return errorf(http.StatusBadRequest, "HostedZoneNotPrivate", "The specified hosted zone is a public hosted zone.")
	default:
		return invalidInput("Invalid parameter : unknown limit type %s", t)
	}
}

func (a *API) getAccountLimit(w http.ResponseWriter, r *http.Request) error {
	t := r.PathValue("type")
	if t != "MAX_HOSTED_ZONES_BY_OWNER" {
		return invalidInput("Invalid parameter : limit type %s is not supported", t)
	}
	zones, err := a.opts.Catalog.Zones(r.Context())
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, limitResponse{XMLName: xml.Name{Space: Namespace, Local: "GetAccountLimitResponse"},
		Limit: xmlLimit{t, maxHostedZones}, Count: int64(len(zones))})
	return nil
}

// newChange returns a fresh change record submitted now.
func (a *API) newChange(comment string) model.ChangeInfo {
	return model.ChangeInfo{ID: a.opts.NewID("C"), SubmittedAt: a.opts.Now().UTC(), Comment: comment}
}

func (a *API) changeXML(ch *model.ChangeInfo) xmlChangeInfo {
	status := model.StatusPending
	if ch.Revision > 0 && a.opts.ServedRevision() >= ch.Revision {
		status = model.StatusInsync
	}
	return xmlChangeInfo{ID: "/change/" + ch.ID, Status: string(status), SubmittedAt: timestamp(ch.SubmittedAt), Comment: ch.Comment}
}

func (a *API) getChange(w http.ResponseWriter, r *http.Request) error {
	id := bareID(r.PathValue("id"))
	ch, err := a.opts.Catalog.Change(r.Context(), id)
	if errors.Is(err, catalog.ErrNoSuchChange) {
		return errorf(http.StatusNotFound, "NoSuchChange", "A change with the specified change ID does not exist: %s", id)
	}
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, changeResponse("GetChange", a.changeXML(&ch)))
	return nil
}
