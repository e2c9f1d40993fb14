package model

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Location-aware routing fields (reference §6.4).

// MaxGeoproximityRecords is the most geoproximity record sets of one name
// and type.
const MaxGeoproximityRecords = 30

// RecordSetRegions is the ResourceRecordSetRegion enum (2026 model): the
// values a latency record's Region and a geoproximity AWSRegion accept.
var RecordSetRegions = setOf(`us-east-1 us-east-2 us-west-1 us-west-2 ca-central-1 eu-west-1 eu-west-2
eu-west-3 eu-central-1 eu-central-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-northeast-1
ap-northeast-2 ap-northeast-3 eu-north-1 sa-east-1 cn-north-1 cn-northwest-1 ap-east-1 me-south-1
me-central-1 ap-south-1 ap-south-2 af-south-1 eu-south-1 eu-south-2 ap-southeast-4 il-central-1
ca-west-1 ap-southeast-5 mx-central-1 ap-southeast-7 us-gov-east-1 us-gov-west-1 ap-east-2
ap-southeast-6 eusc-de-east-1`)

// RecordSetRegionNames returns RecordSetRegions, sorted.
func RecordSetRegionNames() []string { return slices.Sorted(maps.Keys(RecordSetRegions)) }

// continentCodes are the GeoLocation ContinentCode values.
var continentCodes = setOf("AF AN AS EU OC NA SA")

// countryCodes are the ISO 3166-1 alpha-2 codes geolocation accepts (all
// but BV, CX, EH and HM, which Route 53 does not support).
var countryCodes = setOf(`AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
BM BN BO BQ BR BS BT BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CY CZ DE DJ DK DM DO DZ
EC EE EG ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HN HR
HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS
LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL
NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI
SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`)

// usSubdivisions are the SubdivisionCode values accepted with CountryCode
// US: the states, the District of Columbia and the inhabited territories.
var usSubdivisions = setOf(`AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO
MS MT NC ND NE NH NJ NM NV NY OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY AS GU MP PR UM VI`)

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

// checkLocationFields validates Region, GeoLocation and
// GeoProximityLocation (InvalidInput); "" when valid or absent.
func checkLocationFields(r *RecordSet) string {
	if r.Region != "" && !RecordSetRegions[r.Region] {
		return fmt.Sprintf("Invalid parameter : Region '%s' is not a supported ResourceRecordSetRegion", r.Region)
	}
	if g := r.GeoLocation; g != nil {
		if m := checkGeoLocation(g); m != "" {
			return m
		}
	}
	if p := r.GeoProximityLocation; p != nil {
		return checkGeoProximity(p)
	}
	return ""
}

func checkGeoLocation(g *GeoLocation) string {
	switch {
	case g.ContinentCode == "" && g.CountryCode == "":
		return "Invalid parameter : GeoLocation needs a ContinentCode or a CountryCode"
	case g.ContinentCode != "" && (g.CountryCode != "" || g.SubdivisionCode != ""):
		return "Invalid parameter : GeoLocation ContinentCode cannot be combined with CountryCode or SubdivisionCode"
	case g.ContinentCode != "" && !continentCodes[g.ContinentCode]:
		return fmt.Sprintf("Invalid parameter : GeoLocation ContinentCode '%s' is not one of AF, AN, AS, EU, OC, NA, SA", g.ContinentCode)
	case g.CountryCode != "" && g.CountryCode != "*" && !countryCodes[g.CountryCode]:
		return fmt.Sprintf("Invalid parameter : GeoLocation CountryCode '%s' is not a supported location", g.CountryCode)
	case g.SubdivisionCode != "" && g.CountryCode != "US":
		return "Invalid parameter : GeoLocation SubdivisionCode is only supported with CountryCode US"
	case g.SubdivisionCode != "" && !usSubdivisions[g.SubdivisionCode]:
		return fmt.Sprintf("Invalid parameter : GeoLocation SubdivisionCode '%s' is not a supported US subdivision", g.SubdivisionCode)
	}
	return ""
}

func checkGeoProximity(p *GeoProximityLocation) string {
	n := 0
	for _, set := range []bool{p.AWSRegion != "", p.LocalZoneGroup != "", p.Coordinates != nil} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		return "Invalid parameter : GeoProximityLocation needs exactly one of AWSRegion, LocalZoneGroup, Coordinates"
	case len(p.LocalZoneGroup) > 64:
		return "Invalid parameter : GeoProximityLocation LocalZoneGroup is longer than 64 characters"
	case p.AWSRegion != "" && !RecordSetRegions[p.AWSRegion]:
		return fmt.Sprintf("Invalid parameter : GeoProximityLocation AWSRegion '%s' is not a supported region", p.AWSRegion)
	case p.Bias != nil && (*p.Bias < -99 || *p.Bias > 99):
		return fmt.Sprintf("Invalid parameter : GeoProximityLocation Bias %d is outside -99..99", *p.Bias)
	}
	if c := p.Coordinates; c != nil {
		if _, ok := ParseCoordinate(c.Latitude, 90); !ok {
			return fmt.Sprintf("Invalid parameter : Coordinates Latitude '%s' must be a decimal between -90 and 90 with at most 2 decimal places", c.Latitude)
		}
		if _, ok := ParseCoordinate(c.Longitude, 180); !ok {
			return fmt.Sprintf("Invalid parameter : Coordinates Longitude '%s' must be a decimal between -180 and 180 with at most 2 decimal places", c.Longitude)
		}
	}
	return ""
}

var coordinateRE = regexp.MustCompile(`^-?[0-9]{1,3}(\.[0-9]{1,2})?$`)

// ParseCoordinate parses a latitude or longitude as Route 53 writes it: a
// decimal string of at most 2 decimal places within ±limit.
func ParseCoordinate(s string, limit float64) (float64, bool) {
	if !coordinateRE.MatchString(s) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < -limit || v > limit {
		return 0, false
	}
	return v, true
}

// geoKey is what must differ between two record sets of a group of
// location-aware policy: the region (latency) or the location
// (geolocation); "" for other policies.
func geoKey(r *RecordSet) string {
	switch {
	case r.Region != "":
		return "Region " + r.Region
	case r.GeoLocation != nil:
		g := r.GeoLocation
		switch {
		case g.ContinentCode != "":
			return "ContinentCode " + g.ContinentCode
		case g.SubdivisionCode != "":
			return "CountryCode " + g.CountryCode + " and SubdivisionCode " + g.SubdivisionCode
		}
		return "CountryCode " + g.CountryCode
	}
	return ""
}
