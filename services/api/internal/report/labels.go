package report

import "fmt"

// labels holds every word the report prints that is not data: one value
// per language, so that a test can check that both languages have every
// label. Fields ending in "F" are fmt formats; both languages must use the
// same verbs in the same order.
//
// The Latvian section headings of the nine items follow the wording of the
// Data State Inspectorate's list of what a controller must give
// (#dviskaidro: "ko nozīmē tiesības piekļūt saviem datiem"); the policy
// passages are the 2025 policy's own Latvian wording, addressed to the
// reader, and their English is our translation of the policy digest.
type labels struct {
	Title          string
	ControllerHead string
	ControllerText string
	SubjectLabel   string
	WindowLabel    string
	WindowAll      string
	WindowFromToF  string
	WindowFromF    string
	WindowToF      string
	ViewLabel      string
	ViewSubject    string
	ViewDPO        string
	ComputedAt     string
	HashLabel      string
	PositionLabel  string
	PositionNone   string
	PageF          string

	SummaryHead string
	HoldsYesF   string
	HoldsNone   string
	Layers      []string

	CountEvents        string
	CountRecipients    string
	CountThirdCountry  string
	CountCategories    string
	CountPurposes      string
	CountConsultations string
	CountAutomated     string

	// The nine items of the Inspectorate's list, then the sections the
	// list does not name.
	HeadHolds         string
	HeadPurposes      string
	HeadCategories    string
	HeadRecipients    string
	HeadRetention     string
	HeadRights        string
	HeadComplaint     string
	HeadSources       string
	HeadAutomated     string
	HeadSafeguards    string
	HeadConsultations string
	HeadTimeline      string
	HeadRows          string
	HeadRestricted    string
	HeadWithheld      string
	HeadIntegrity     string

	IntroRecipients    string
	IntroSafeguards    string
	IntroConsultations string
	IntroTimeline      string
	IntroRows          string
	IntroRestricted    string
	Nothing            string

	ColPurpose       string
	ColBases         string
	ColEvents        string
	ColEventIDs      string
	ColCategory      string
	ColRecipient     string
	ColCountry       string
	ColMechanism     string
	ColPeriod        string
	ColKinds         string
	ColCategories    string
	ColPurposes      string
	ColReason        string
	ColRule          string
	ColPolicySource  string
	ColSystem        string
	ColDate          string
	ColDecision      string
	ColRole          string
	ColMonth         string
	ColKind          string
	ColCounterpart   string
	ColEvent         string
	ColOccurred      string
	ColRecorded      string
	ColActorType     string
	ColActorID       string
	ColRecipientID   string
	ColResolvedVia   string
	ColAttributes    string
	ColPartition     string
	ColOffset        string
	ColPosition      string
	ColRestriction   string
	ColReviewAt      string
	ColEmployee      string
	ColSection       string
	ColInterest      string
	ColAccessRequest string

	NoReason        string
	NoBasis         string
	NoMechanism     string
	ThirdCountry    string
	RestrictedMark  string
	Active          string
	Lapsed          string
	AccessRequestF  string
	InterestF       string
	KindAccess      string
	KindTransfer    string
	KindHandoff     string
	ActorService    string
	ActorEmployee   string
	ActorSystem     string
	IdentMSISDN     string
	IdentIP         string
	IdentContract   string
	IdentDevice     string
	SourceSubject   string
	SourceSystems   string
	SourcePartners  string
	SourceUnmapped  string
	SourcesNote     string
	SourcesPolicy   []string
	RetentionNote   string
	Criteria        []string
	PeriodStatedF   string
	NoPeriodF       string
	Rights          []string
	Complaint       []string
	AutomatedPolicy []string
	AutomatedNone   string
	WithheldBasisF  string
	WithheldIDF     string
	WithheldNone    string
}

// labelsFor returns the labels of a language.
func labelsFor(lang string) (*labels, error) {
	switch lang {
	case "lv":
		return &labelsLV, nil
	case "en":
		return &labelsEN, nil
	}
	return nil, fmt.Errorf("language %q: %w", lang, ErrLanguage)
}

var labelsLV = labels{
	Title:          "Informācija par Jūsu personas datu apstrādi (Vispārīgās datu aizsardzības regulas 15. pants)",
	ControllerHead: "Pārzinis",
	ControllerText: "AS Balticom, vienotās reģistrācijas Nr. 40003443452, juridiskā adrese Straupes iela 5/k-3, Rīga (§1). " +
		"Kontaktinformācija personas datu apstrādes jautājumos: klients@balticom.info (§2).",
	SubjectLabel:  "Klients",
	WindowLabel:   "Periods",
	WindowAll:     "viss reģistrētais laiks",
	WindowFromToF: "no %s līdz %s (neieskaitot)",
	WindowFromF:   "no %s",
	WindowToF:     "līdz %s (neieskaitot)",
	ViewLabel:     "Skats",
	ViewSubject:   "datu subjektam",
	ViewDPO:       "datu aizsardzības speciālistam: ierobežotie ieraksti ir parādīti un atzīmēti, darbinieku identifikatori norādīti",
	ComputedAt:    "Sagatavots",
	HashLabel:     "Satura kontrolsumma (SHA-256)",
	PositionLabel: "Datu krātuves pozīcija (Kafka nodalījums:nobīde)",
	PositionNone:  "neviens notikums nav nolasīts",
	PageF:         "Lapa %d no %s",

	SummaryHead: "Kopsavilkums",
	HoldsYesF:   "Jā, Balticom apstrādā Jūsu personas datus. Šajā periodā reģistrēto notikumu skaits: %d.",
	HoldsNone:   "Šajā periodā nav reģistrēts neviens notikums, kurā Jūsu personas dati būtu aplūkoti, nodoti vai izpausti.",
	Layers: []string{
		"1. slānis – šis kopsavilkums un 1.–9. sadaļa (Datu valsts inspekcijas sarakstā minētā informācija), nosūtīšana uz trešajām valstīm " +
			"un Jūsu datu aplūkošana: kam Jūsu dati izpausti, kuras datu kategorijas, kādiem nolūkiem un uz kāda tiesiskā pamata, " +
			"cik ilgi tos glabā, no kurienes tie iegūti un kādas ir Jūsu tiesības.",
		"2. slānis – hronoloģija: pa mēnešiem, kas notika ar Jūsu datiem (aplūkošana vai nodošana, saņēmējs vai sistēma, datu kategorijas).",
		"3. slānis – notikumu ieraksti: katrs reģistrētais notikums ar visiem tā laukiem, no vecākā uz jaunāko; " +
			"uz tiem atsaucas notikumu identifikatori, kas norādīti katrā iepriekšējo slāņu rindā.",
	},
	CountEvents:        "Notikumi",
	CountRecipients:    "Saņēmēji",
	CountThirdCountry:  "Saņēmēji trešajās valstīs",
	CountCategories:    "Datu kategorijas",
	CountPurposes:      "Nolūki",
	CountConsultations: "Datu aplūkošanas reizes",
	CountAutomated:     "Automatizēti lēmumi",

	HeadHolds:         "1. Vai organizācijas rīcībā ir personas dati",
	HeadPurposes:      "2. Personas datu apstrādes nolūks (mērķis)",
	HeadCategories:    "3. Personas datu kategorijas",
	HeadRecipients:    "4. Organizācijas vai fiziskas personas, kam personas dati ir izpausti",
	HeadRetention:     "5. Datu glabāšanas ilgums vai kritēriji tā noteikšanai",
	HeadRights:        "6. Tiesības pieprasīt datu labošanu vai dzēšanu, apstrādes ierobežošanu vai iebilst pret apstrādi",
	HeadComplaint:     "7. Tiesības iesniegt sūdzību Datu valsts inspekcijai",
	HeadSources:       "8. Datu avots, ja dati nav ievākti no pašas personas",
	HeadAutomated:     "9. Automatizēta lēmumu pieņemšana, tostarp profilēšana",
	HeadSafeguards:    "Nosūtīšana uz trešajām valstīm un atbilstošās garantijas",
	HeadConsultations: "Jūsu datu aplūkošana Balticom sistēmās",
	HeadTimeline:      "Hronoloģija",
	HeadRows:          "Notikumu ieraksti",
	HeadRestricted:    "Ierobežotie ieraksti",
	HeadWithheld:      "Neiekļautā informācija",
	HeadIntegrity:     "Pārskata kontrolsumma un datu krātuves pozīcija",

	IntroRecipients: "Katrs saņēmējs ar juridisko nosaukumu, datumiem, datu kategorijām, nolūku un tiesisko pamatu. " +
		"Ja ir reģistrēta tikai saņēmēja kategorija, norādīts reģistrētais iemesls.",
	IntroSafeguards: "Saņēmēji ārpus Eiropas Savienības un Eiropas Ekonomikas zonas un aizsardzības mehānisms, " +
		"kas bija spēkā katras nosūtīšanas laikā (Regulas 15. panta 2. punkts).",
	IntroConsultations: "Katra reģistrētā piekļuve Jūsu datiem visās sistēmās: datums, nolūks un loma, kurā tā notika " +
		"(Eiropas Savienības Tiesas spriedums lietā C-579/21). Darbinieku identitāte netiek norādīta.",
	IntroTimeline:   "Pa mēnešiem, no vecākā uz jaunāko.",
	IntroRows:       "Visi reģistrētie notikumi ar visiem laukiem, no vecākā uz jaunāko.",
	IntroRestricted: "Šie ieraksti datu subjektam netiek rādīti, kamēr ierobežojums ir spēkā.",
	Nothing:         "Šajā periodā nekas nav reģistrēts.",

	ColPurpose:       "Nolūks",
	ColBases:         "Tiesiskais pamats",
	ColEvents:        "Notikumi",
	ColEventIDs:      "Notikumu identifikatori",
	ColCategory:      "Kategorija",
	ColRecipient:     "Saņēmējs",
	ColCountry:       "Valsts",
	ColMechanism:     "Aizsardzības mehānisms",
	ColPeriod:        "Laikposms",
	ColKinds:         "Veids",
	ColCategories:    "Datu kategorijas",
	ColPurposes:      "Nolūki",
	ColReason:        "Reģistrētais iemesls",
	ColRule:          "Glabāšanas noteikums",
	ColPolicySource:  "Avots (§16)",
	ColSystem:        "Sistēma",
	ColDate:          "Datums",
	ColDecision:      "Lēmums",
	ColRole:          "Loma",
	ColMonth:         "Mēnesis",
	ColKind:          "Notikuma veids",
	ColCounterpart:   "Saņēmējs vai sistēma",
	ColEvent:         "Notikuma identifikators",
	ColOccurred:      "Notika",
	ColRecorded:      "Reģistrēts",
	ColActorType:     "Izpildītāja veids",
	ColActorID:       "Izpildītājs (loma vai konts)",
	ColRecipientID:   "Saņēmēja kods",
	ColResolvedVia:   "Atrasts pēc identifikatora",
	ColAttributes:    "Papildu ziņas",
	ColPartition:     "Nodalījums",
	ColOffset:        "Nobīde",
	ColPosition:      "Pozīcija",
	ColRestriction:   "Ierobežojuma pamats",
	ColReviewAt:      "Ierobežojums pārskatāms",
	ColEmployee:      "Darbinieks",
	ColSection:       "sadaļa",
	ColInterest:      "Leģitīmā interese",
	ColAccessRequest: "Piekļuves pieprasījums",

	NoReason:       "iemesls nav reģistrēts",
	NoBasis:        "pamats nav reģistrēts",
	NoMechanism:    "aizsardzības mehānisms nav reģistrēts",
	ThirdCountry:   "trešā valsts",
	RestrictedMark: "IEROBEŽOTS",
	Active:         "spēkā",
	Lapsed:         "beidzies",
	AccessRequestF: "piekļuves pieprasījums %s",
	InterestF:      "leģitīmā interese §%s",
	KindAccess:     "aplūkošana (piekļuve)",
	KindTransfer:   "nodošana trešajai personai",
	KindHandoff:    "nodošana datu apstrādātājam",
	ActorService:   "servisa konts",
	ActorEmployee:  "darbinieka loma",
	ActorSystem:    "sistēma",
	IdentMSISDN:    "tālruņa numurs",
	IdentIP:        "IP adrese",
	IdentContract:  "līgums",
	IdentDevice:    "iekārta",
	SourceSubject:  "no Klienta",
	SourceSystems:  "no Balticom informācijas sistēmām",
	SourcePartners: "no Balticom sadarbības partneriem",
	SourceUnmapped: "avots nav piesaistīts politikas 16. punktam",
	SourcesNote: "Kuru 16. punkta avotu pārstāv katra sistēma, ir Balticom vērtējums; politika sistēmas nenosauc. " +
		"Ieraksti no klientu attiecību vadības sistēmas, pašapkalpošanās portāla un kontaktu centra ir dati no Jums (§16.1), tāpēc šeit nav uzskaitīti.",
	SourcesPolicy: []string{
		"Balticom iegūst personas datus no šādiem avotiem (§16):",
		"16.1. no Klienta;",
		"16.2. no Balticom informācijas sistēmām;",
		"16.3. no ielaušanās aizsardzības un atklāšanas programmas;",
		"16.4. no kredītvēstures datubāzēm;",
		"16.5. no Balticom sadarbības partneriem;",
		"16.6. no publiski pieejamām datu bāzēm (www.zemesgramata.lv; www.kadastrs.lv; www.lursoft.lv u.c.).",
	},
	RetentionNote: "Kurš glabāšanas noteikums attiecas uz katru datu kategoriju, ir Balticom vērtējums: privātuma politika datu kategorijas " +
		"ar glabāšanas noteikumiem tieši nesasaista.",
	Criteria: []string{
		"Balticom glabā un apstrādā Jūsu personas datus, kamēr pastāv vismaz viens no šiem kritērijiem (§20):",
		"20.1. ir spēkā ar Jums noslēgtais līgums;",
		"20.2. kamēr ārējos normatīvajos aktos noteiktajā kārtībā Balticom vai Jūs varat īstenot savas leģitīmās intereses;",
		"20.3. kamēr kādai no pusēm pastāv juridisks pienākums datus glabāt (piemēram, saskaņā ar Grāmatvedības likumu rēķini jāglabā vismaz 5 gadus);",
		"20.4. kamēr ir spēkā Jūsu piekrišana datu glabāšanai (tikai tad, ja glabāšanai nav cita tiesiskā pamata).",
		"Pēc tam, kad nepastāv neviens no datu apstrādes tiesiskajiem pamatiem, personas dati tiek dzēsti.",
	},
	PeriodStatedF: "%s (%s).",
	NoPeriodF:     "%s (%s). Konkrēts termiņš nav noteikts: dati tiek glabāti, kamēr pastāv vismaz viens no 20. punkta kritērijiem.",
	Rights: []string{
		"Jums ir tiesības pieprasīt Balticom piekļuvi saviem personas datiem, kā arī pieprasīt Balticom veikt to papildināšanu, labošanu vai dzēšanu, " +
			"izsniegt datu kopiju, iebilst pret datu apstrādi vai lūgt ierobežot datu apstrādi un nodrošināt datu pārnesamību (§26).",
		"Balticom datu subjekta pieprasījumus izpilda, ciktāl tie nenonāk pretrunā ar Balticom pienākumiem, kas uzlikti ar spēkā esošajiem " +
			"normatīvajiem aktiem, vai ar Balticom un Jūsu noslēgtā līguma noteikumiem (§27).",
		"Pieprasījumu par savu tiesību īstenošanu varat iesniegt: rakstveida formā klātienē Balticom juridiskajā adresē, uzrādot personu " +
			"apliecinošu dokumentu; elektroniskā pasta veidā uz klients@balticom.info, parakstot ar drošu elektronisko parakstu; " +
			"autorizējoties pašapkalpošanās portālā Mans Balticom (§28).",
		"Balticom pārliecinās par Jūsu identitāti, izvērtē pieprasījumu un izpilda to saskaņā ar normatīvajiem aktiem (§29). Atbildi, kas satur " +
			"personas datus, Balticom nosūta pa pastu uz Jūsu norādīto kontaktadresi ierakstītā vēstulē vai pašapkalpošanās portālā Mans Balticom, " +
			"vai izsniedz personīgi, ņemot vērā Jūsu norādīto atbildes saņemšanas veidu (§30).",
		"Lielākā daļa informācijas par Jūsu datiem ir pieejama pašapkalpošanās portālā Mans Balticom, kur varat pārliecināties par to " +
			"pareizumu un tos mainīt (§25).",
	},
	Complaint: []string{
		"Jebkādu iebildumu gadījumā Jums ir tiesības vērsties pie Balticom un tās datu aizsardzības speciālista: klients@balticom.info vai " +
			"Balticom juridiskajā adresē Straupes iela 5/k-3, Rīgā. Pēc sūdzības vai iebildumu saņemšanas Balticom nekavējoties nodrošina " +
			"to izskatīšanu un iespējamo trūkumu novēršanu (§31).",
		"Ja Jūs neapmierina Balticom veiktās darbības iebildumu izskatīšanā vai trūkumu novēršanā, Jums ir tiesības vērsties uzraudzības " +
			"iestādē – Datu valsts inspekcijā, Elijas iela 17, Rīga, LV-1050, www.dvi.gov.lv (§32).",
		"Tiesības iesniegt sūdzību Datu valsts inspekcijai (Regulas 77. pants) nav atkarīgas no tā, vai vispirms esat vērsies Balticom.",
	},
	AutomatedPolicy: []string{
		"Atsevišķos gadījumos Balticom attiecībā uz Jums var veikt automatizētu lēmumu pieņemšanu (§10).",
		"Automatizētu lēmumu pieņemšana, kas Jums rada tiesiskās sekas (piemēram, pieteikuma apstiprināšana vai noraidīšana), var tikt veikta " +
			"tikai līguma starp Balticom un Jums noslēgšanas vai izpildes gaitā, pamatojoties uz Jūsu nepārprotamu piekrišanu vai ārējos " +
			"normatīvajos aktos noteiktajos gadījumos (§11).",
		"Atsevišķos gadījumos, ja atsakāties sniegt piekrišanu automatizēta lēmuma pieņemšanai, Jums nebūs iespējams izmantot visas " +
			"Klienta priekšrocības (piemēram, saņemt individualizētus komerciālos piedāvājumus) (§12).",
		"Par katra zemāk norādītā lēmuma loģiku, nozīmīgumu un paredzamajām sekām varat vērsties pie Balticom datu aizsardzības " +
			"speciālista: klients@balticom.info.",
	},
	AutomatedNone: "Šajā periodā nav reģistrēts neviens automatizēts lēmums attiecībā uz Jums.",
	WithheldBasisF: "Daļa ierakstu šajā pārskatā nav parādīta, jo to izpaušana Jums uz laiku ir ierobežota ar šādu tiesisko pamatu: %s. " +
		"Tie tiks parādīti, kad ierobežojums beigsies.",
	WithheldIDF: "Notikumi, kas reģistrēti pēc identifikatora (%s) laikā no %s līdz %s, nav iekļauti: šajā laikā identifikators bija " +
		"piesaistīts diviem klientiem vienlaikus, tāpēc tos nevar droši attiecināt uz Jums.",
	WithheldNone: "Nekas nav izlaists.",
}

var labelsEN = labels{
	Title:          "Information on the processing of your personal data (GDPR Article 15)",
	ControllerHead: "Controller",
	ControllerText: "AS Balticom, registration no. 40003443452, legal address Straupes iela 5/k-3, Rīga (§1). " +
		"Contact on personal-data matters: klients@balticom.info (§2).",
	SubjectLabel:  "Customer",
	WindowLabel:   "Period",
	WindowAll:     "all recorded time",
	WindowFromToF: "from %s to %s (exclusive)",
	WindowFromF:   "from %s",
	WindowToF:     "until %s (exclusive)",
	ViewLabel:     "View",
	ViewSubject:   "for the data subject",
	ViewDPO:       "for the data protection officer: restricted lines are shown and marked, employees' staff ids are given",
	ComputedAt:    "Computed",
	HashLabel:     "Content hash (SHA-256)",
	PositionLabel: "Store position (Kafka partition:offset)",
	PositionNone:  "no event was read",
	PageF:         "Page %d of %s",

	SummaryHead: "Summary",
	HoldsYesF:   "Yes, Balticom processes your personal data. Events recorded in this period: %d.",
	HoldsNone:   "No event in which your personal data were consulted, transferred or disclosed is recorded in this period.",
	Layers: []string{
		"Layer 1 – this summary and sections 1–9 (the information listed by the Data State Inspectorate), transfers to third countries " +
			"and consultations of your data: who received your data, which categories, for what purposes and on what legal basis, " +
			"how long they are kept, where they came from, and your rights.",
		"Layer 2 – time line: month by month, what happened to your data (consultation or disclosure, the recipient or system, the data categories).",
		"Layer 3 – event rows: every recorded event with all its fields, oldest first; the event ids given on every line of the layers " +
			"above refer to them.",
	},
	CountEvents:        "Events",
	CountRecipients:    "Recipients",
	CountThirdCountry:  "Recipients in third countries",
	CountCategories:    "Data categories",
	CountPurposes:      "Purposes",
	CountConsultations: "Consultations of your data",
	CountAutomated:     "Automated decisions",

	HeadHolds:         "1. Whether we hold your personal data",
	HeadPurposes:      "2. Purposes of processing",
	HeadCategories:    "3. Categories of personal data",
	HeadRecipients:    "4. Organisations or natural persons to whom the data were disclosed",
	HeadRetention:     "5. Storage period or the criteria used to determine it",
	HeadRights:        "6. Right to request rectification or erasure, restriction of processing, or to object",
	HeadComplaint:     "7. Right to lodge a complaint with the Data State Inspectorate",
	HeadSources:       "8. Source of the data, where not collected from you",
	HeadAutomated:     "9. Automated decision-making, including profiling",
	HeadSafeguards:    "Transfers to third countries and appropriate safeguards",
	HeadConsultations: "Consultations of your data in Balticom's systems",
	HeadTimeline:      "Time line",
	HeadRows:          "Event rows",
	HeadRestricted:    "Restricted lines",
	HeadWithheld:      "Information left out",
	HeadIntegrity:     "Report hash and store position",

	IntroRecipients: "Each recipient by legal name, with dates, data categories, purpose and legal basis. " +
		"Where only the recipient's category was recorded, the recorded reason is given.",
	IntroSafeguards: "Recipients outside the European Union and the European Economic Area, with the safeguard in force " +
		"at the time of each transfer (GDPR Art. 15(2)).",
	IntroConsultations: "Every recorded consultation of your data across all systems: the date, the purpose and the role in which it took place " +
		"(Court of Justice of the EU, case C-579/21). Employees' identities are not given.",
	IntroTimeline:   "Month by month, oldest first.",
	IntroRows:       "Every recorded event with all its fields, oldest first.",
	IntroRestricted: "These lines are not shown to the data subject while the restriction is in force.",
	Nothing:         "Nothing is recorded in this period.",

	ColPurpose:       "Purpose",
	ColBases:         "Legal basis",
	ColEvents:        "Events",
	ColEventIDs:      "Event ids",
	ColCategory:      "Category",
	ColRecipient:     "Recipient",
	ColCountry:       "Country",
	ColMechanism:     "Safeguard",
	ColPeriod:        "Period",
	ColKinds:         "Kind",
	ColCategories:    "Data categories",
	ColPurposes:      "Purposes",
	ColReason:        "Recorded reason",
	ColRule:          "Retention rule",
	ColPolicySource:  "Source (§16)",
	ColSystem:        "System",
	ColDate:          "Date",
	ColDecision:      "Decision",
	ColRole:          "Role",
	ColMonth:         "Month",
	ColKind:          "Event kind",
	ColCounterpart:   "Recipient or system",
	ColEvent:         "Event id",
	ColOccurred:      "Occurred",
	ColRecorded:      "Recorded",
	ColActorType:     "Actor type",
	ColActorID:       "Actor (role or account)",
	ColRecipientID:   "Recipient code",
	ColResolvedVia:   "Found via identifier",
	ColAttributes:    "Further details",
	ColPartition:     "Partition",
	ColOffset:        "Offset",
	ColPosition:      "Position",
	ColRestriction:   "Restriction basis",
	ColReviewAt:      "Restriction review",
	ColEmployee:      "Employee",
	ColSection:       "section",
	ColInterest:      "Legitimate interest",
	ColAccessRequest: "Access request",

	NoReason:       "no reason recorded",
	NoBasis:        "basis not recorded",
	NoMechanism:    "no safeguard recorded",
	ThirdCountry:   "third country",
	RestrictedMark: "RESTRICTED",
	Active:         "in force",
	Lapsed:         "lapsed",
	AccessRequestF: "access request %s",
	InterestF:      "legitimate interest §%s",
	KindAccess:     "consultation (access)",
	KindTransfer:   "transfer to a third party",
	KindHandoff:    "hand-off to a processor",
	ActorService:   "service account",
	ActorEmployee:  "employee role",
	ActorSystem:    "system",
	IdentMSISDN:    "phone number",
	IdentIP:        "IP address",
	IdentContract:  "contract",
	IdentDevice:    "device",
	SourceSubject:  "from the customer",
	SourceSystems:  "from Balticom's information systems",
	SourcePartners: "from Balticom's partners",
	SourceUnmapped: "source not mapped to §16 of the policy",
	SourcesNote: "Which §16 source each system represents is Balticom's assessment; the policy does not name the systems. " +
		"Records of the customer relationship management system, the self-service portal and the contact centre are data from you (§16.1) " +
		"and are not listed here.",
	SourcesPolicy: []string{
		"Balticom obtains personal data from these sources (§16):",
		"16.1. from the customer;",
		"16.2. from Balticom's information systems;",
		"16.3. from intrusion protection and detection software;",
		"16.4. from credit-history databases;",
		"16.5. from Balticom's partners;",
		"16.6. from publicly available databases (www.zemesgramata.lv; www.kadastrs.lv; www.lursoft.lv and others).",
	},
	RetentionNote: "Which retention rule governs each data category is Balticom's assessment: the privacy policy does not link data categories " +
		"to retention rules.",
	Criteria: []string{
		"Balticom keeps and processes your personal data while at least one of these criteria holds (§20):",
		"20.1. the contract concluded with you is in force;",
		"20.2. Balticom or you can still exercise legitimate interests in the way the law provides;",
		"20.3. either party has a legal duty to keep the data (for example, under the Accounting Law invoices must be kept for at least 5 years);",
		"20.4. your consent to the storage is in force (only where there is no other legal basis for storage).",
		"Once no legal basis for processing remains, the personal data are erased.",
	},
	PeriodStatedF: "%s (%s).",
	NoPeriodF:     "%s (%s). No fixed period is stated: the data are kept while at least one of the §20 criteria holds.",
	Rights: []string{
		"You have the right to request from Balticom access to your personal data, and to ask Balticom to complete, rectify or erase them, " +
			"to give you a copy of the data, to object to the processing or to ask for the processing to be restricted, and to data portability (§26).",
		"Balticom fulfils a data subject's requests insofar as they do not conflict with its obligations under the law in force or with the terms " +
			"of the contract between Balticom and you (§27).",
		"You can submit a request to exercise your rights: in writing, in person at Balticom's legal address, showing an identity document; " +
			"by e-mail to klients@balticom.info, signed with a secure electronic signature; or logged in to the Mans Balticom self-service portal (§28).",
		"Balticom verifies your identity, assesses the request and fulfils it as the law provides (§29). A reply containing personal data is sent " +
			"by registered letter to the contact address you gave, in the Mans Balticom portal, or handed to you in person, as you choose (§30).",
		"Most information about your data is available in the Mans Balticom self-service portal, where you can check that it is correct " +
			"and change it (§25).",
	},
	Complaint: []string{
		"If you have any objection, you have the right to turn to Balticom and its data protection officer: klients@balticom.info, or " +
			"Balticom's legal address, Straupes iela 5/k-3, Rīga. Balticom reviews complaints and objections without delay and remedies " +
			"any shortcomings (§31).",
		"If you are not satisfied with how Balticom handled your objection or remedied shortcomings, you have the right to turn to the " +
			"supervisory authority, the Data State Inspectorate (Datu valsts inspekcija), Elijas iela 17, Rīga, LV-1050, www.dvi.gov.lv (§32).",
		"Your right to lodge a complaint with the Data State Inspectorate (GDPR Art. 77) does not depend on turning to Balticom first.",
	},
	AutomatedPolicy: []string{
		"In some cases Balticom may take automated decisions concerning you (§10).",
		"Automated decisions with legal effect for you (for example, approving or rejecting an application) may be taken only while a contract " +
			"between Balticom and you is concluded or performed, on your explicit consent or where the law provides (§11).",
		"In some cases, if you refuse consent to an automated decision, you cannot use all of a customer's benefits (for example, receiving " +
			"individual commercial offers) (§12).",
		"For the logic, significance and expected consequences of each decision listed below, you can turn to Balticom's data protection " +
			"officer: klients@balticom.info.",
	},
	AutomatedNone: "No automated decision concerning you is recorded in this period.",
	WithheldBasisF: "Some lines of this report are not shown because their disclosure to you is restricted for a time on this legal basis: %s. " +
		"They will be shown once the restriction ends.",
	WithheldIDF: "Events recorded under an identifier (%s) from %s to %s are left out: in that time two customers were linked to the " +
		"identifier at once, so they cannot be attributed to you with certainty.",
	WithheldNone: "Nothing is left out.",
}
