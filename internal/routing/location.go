package routing

import "math"

// Location is where a client is, as a geolocation database places it.
// Codes are upper case: Continent one of AF AN AS EU OC NA SA, Country ISO
// 3166-1 alpha-2, Subdivision the ISO 3166-2 code without the country
// prefix ("CA" for California). Empty fields are unknown.
type Location struct {
	Continent, Country, Subdivision string
	Latitude, Longitude             float64
	HasCoordinates                  bool
}

// GeoLocation is a geolocation record's location: exactly one of
// Continent, Country (with Subdivision for a US state), or Default ("*").
type GeoLocation struct {
	Continent, Country, Subdivision string
	Default                         bool
}

// GeoProximity is a geoproximity record's point and bias (−99..99).
type GeoProximity struct {
	Latitude, Longitude float64
	Bias                int
}

// RegionCoordinates gives the approximate coordinates (of the city that
// hosts it) of each AWS region Route 53 accepts as a record's Region or a
// geoproximity AWSRegion. They place regions for geoproximity routing and
// for latency routing by distance; they are not Amazon's data.
var RegionCoordinates = map[string][2]float64{
	"us-east-1":      {38.95, -77.45},  // N. Virginia
	"us-east-2":      {40.00, -83.00},  // Ohio (Columbus)
	"us-west-1":      {37.35, -121.95}, // N. California
	"us-west-2":      {45.60, -121.20}, // Oregon (The Dalles)
	"us-gov-east-1":  {40.00, -83.00},  // Ohio
	"us-gov-west-1":  {45.60, -121.20}, // Oregon
	"ca-central-1":   {45.50, -73.57},  // Montreal
	"ca-west-1":      {51.05, -114.07}, // Calgary
	"mx-central-1":   {20.59, -100.39}, // Querétaro
	"sa-east-1":      {-23.55, -46.63}, // São Paulo
	"eu-west-1":      {53.35, -6.26},   // Dublin
	"eu-west-2":      {51.51, -0.13},   // London
	"eu-west-3":      {48.86, 2.35},    // Paris
	"eu-central-1":   {50.11, 8.68},    // Frankfurt
	"eu-central-2":   {47.38, 8.54},    // Zurich
	"eu-north-1":     {59.33, 18.07},   // Stockholm
	"eu-south-1":     {45.46, 9.19},    // Milan
	"eu-south-2":     {41.65, -0.88},   // Aragón (Zaragoza)
	"eusc-de-east-1": {52.40, 13.06},   // Brandenburg (Potsdam)
	"il-central-1":   {32.09, 34.78},   // Tel Aviv
	"me-south-1":     {26.07, 50.56},   // Bahrain
	"me-central-1":   {24.45, 54.38},   // UAE (Abu Dhabi)
	"af-south-1":     {-33.92, 18.42},  // Cape Town
	"ap-east-1":      {22.32, 114.17},  // Hong Kong
	"ap-east-2":      {25.03, 121.57},  // Taipei
	"ap-south-1":     {19.08, 72.88},   // Mumbai
	"ap-south-2":     {17.39, 78.49},   // Hyderabad
	"ap-southeast-1": {1.35, 103.82},   // Singapore
	"ap-southeast-2": {-33.87, 151.21}, // Sydney
	"ap-southeast-3": {-6.21, 106.85},  // Jakarta
	"ap-southeast-4": {-37.81, 144.96}, // Melbourne
	"ap-southeast-5": {3.14, 101.69},   // Kuala Lumpur
	"ap-southeast-6": {-36.85, 174.76}, // Auckland
	"ap-southeast-7": {13.76, 100.50},  // Bangkok
	"ap-northeast-1": {35.68, 139.69},  // Tokyo
	"ap-northeast-2": {37.57, 126.98},  // Seoul
	"ap-northeast-3": {34.69, 135.50},  // Osaka
	"cn-north-1":     {39.90, 116.40},  // Beijing
	"cn-northwest-1": {37.20, 105.90},  // Ningxia (Zhongwei)
}

// Distance returns the great-circle distance in kilometres between two
// points given in degrees (haversine formula, mean Earth radius).
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// biased applies a geoproximity bias to distance d (reference §6.4):
// positive bias d×(1−bias/100), negative d/(1+bias/100). Bias is clamped
// to −99..99.
func biased(d float64, bias int) float64 {
	bias = max(-99, min(99, bias))
	if bias >= 0 {
		return d * (1 - float64(bias)/100)
	}
	return d / (1 + float64(bias)/100)
}
