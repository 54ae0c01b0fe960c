package watch

import "math"

// centroids are rough centres of the countries mail logins come from
// most, in whole degrees (latitude, longitude): enough to tell a trip
// that takes hours from one that takes a day, and to call two countries
// neighbours. A country missing here is never judged for travel nor
// taken for a neighbour; it can still be a new country.
var centroids = map[string][2]float64{
	"AE": {24, 54}, "AR": {-34, -64}, "AT": {47, 14}, "AU": {-25, 134}, "BD": {24, 90},
	"BE": {51, 4}, "BG": {43, 25}, "BR": {-10, -52}, "BY": {53, 28}, "CA": {56, -106},
	"CH": {47, 8}, "CL": {-33, -71}, "CN": {35, 104}, "CO": {4, -73}, "CZ": {50, 15},
	"DE": {51, 10}, "DK": {56, 10}, "DZ": {28, 2}, "EG": {27, 30}, "ES": {40, -4},
	"FI": {62, 26}, "FR": {47, 2}, "GB": {54, -2}, "GR": {39, 22}, "HK": {22, 114},
	"HU": {47, 19}, "ID": {-2, 118}, "IE": {53, -8}, "IL": {31, 35}, "IN": {21, 78},
	"IR": {32, 53}, "IT": {42, 12}, "JP": {36, 138}, "KE": {0, 38}, "KR": {36, 128},
	"KZ": {48, 68}, "LT": {55, 24}, "LU": {50, 6}, "LV": {57, 25}, "MA": {32, -6},
	"MX": {23, -102}, "MY": {4, 102}, "NG": {9, 8}, "NL": {52, 5}, "NO": {61, 9},
	"NZ": {-41, 174}, "PE": {-10, -76}, "PH": {13, 122}, "PK": {30, 70}, "PL": {52, 19},
	"PT": {40, -8}, "RO": {46, 25}, "RS": {44, 21}, "RU": {60, 90}, "SA": {24, 45},
	"SE": {62, 15}, "SG": {1, 104}, "SK": {49, 19}, "TH": {15, 101}, "TN": {34, 9},
	"TR": {39, 35}, "TW": {24, 121}, "UA": {49, 32}, "US": {39, -98}, "VN": {16, 107},
	"ZA": {-29, 24},
}

// distanceKm is the great-circle distance between two countries'
// centres.
func distanceKm(a, b string) (float64, bool) {
	p, ok1 := centroids[a]
	q, ok2 := centroids[b]
	if !ok1 || !ok2 {
		return 0, false
	}
	rad := math.Pi / 180
	lat1, lat2 := p[0]*rad, q[0]*rad
	dlat, dlon := (q[0]-p[0])*rad, (q[1]-p[1])*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * 6371 * math.Asin(math.Sqrt(min(h, 1))), true
}

// near reports whether country is a neighbour of one of known: a login
// from across the border is a commute or a roaming phone, not news.
func near(country string, known []string, km float64) bool {
	for _, k := range known {
		if d, ok := distanceKm(country, k); ok && d < km {
			return true
		}
	}
	return false
}

// DistanceKm is the distance between two countries' centres as the
// travel rule measures it; ok is false for a country not in the table.
func DistanceKm(a, b string) (km float64, ok bool) { return distanceKm(a, b) }
