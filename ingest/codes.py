"""Reference code lists: ISO 3166-1 alpha-2, ISO 4217, HS chapters. Plain data, no logic."""

from __future__ import annotations

# ISO 3166-1 alpha-2 officially assigned codes (249), plus XK (Kosovo, user-assigned but
# universally used in trade data) and ZZ (user-assigned "unknown", used by the KCS data).
ISO3166_ALPHA2: frozenset[str] = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
ZW XK ZZ
""".split())

COUNTRY_NAMES: dict[str, str] = {
    "CN": "China", "HK": "Hong Kong", "MO": "Macao", "TW": "Taiwan", "KR": "Korea, Republic of",
    "JP": "Japan", "US": "United States", "DE": "Germany", "VN": "Viet Nam", "SG": "Singapore",
    "MY": "Malaysia", "TH": "Thailand", "ID": "Indonesia", "IN": "India", "AU": "Australia",
    "BR": "Brazil", "RU": "Russian Federation", "GB": "United Kingdom", "FR": "France",
    "IT": "Italy", "NL": "Netherlands", "BE": "Belgium", "ES": "Spain", "AE": "United Arab Emirates",
    "ZZ": "Unknown",
}

# ISO 4217 active alphabetic codes (plus a few funds/precious-metal codes used in trade).
ISO4217: frozenset[str] = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL XAU XAG XDR
""".split())

# HS 2022 chapters 01..97; chapter 77 is reserved for future use. 98/99 are national-use
# chapters (China uses 98 for special goods); accepted only where a source says so.
HS_CHAPTERS: frozenset[str] = frozenset(f"{i:02d}" for i in range(1, 98) if i != 77)
