package taxonomy

// purposeList holds the processing purposes of §5.1–§5.7, and commercial
// communication (§42–§47), which §5 does not list. The policy links a
// purpose to a legal basis only for §5.5 (its heading names legal
// obligations); any other link is ours.
var purposeList = []Term{
	{Code: "service_provision", Name: "Provision of services and sale of goods", NameLV: "Pakalpojumu sniegšana un preču pārdošana", Cite: "§5.1"},
	{Code: "credit_and_debt", Name: "Performance of obligations: creditworthiness and debt recovery",
		NameLV: "Saistību izpildes nodrošināšana: kredītspējas novērtēšana, parādu atgūšana un piedziņa", Cite: "§5.2"},
	{Code: "planning_analytics", Name: "Business planning and analytics", NameLV: "Biznesa plānošana un analītika", Cite: "§5.3"},
	{Code: "security", Name: "Security of information, information systems and the company",
		NameLV: "Informācijas, informācijas sistēmu un uzņēmuma drošības nodrošināšana", Cite: "§5.4"},
	{Code: "legal_obligation", Name: "Fulfilment of legal obligations", NameLV: "Normatīvajos aktos noteikto pienākumu izpilde", Cite: "§5.5",
		Note: "Covers provision of retained data (annex fn. 2) and information to state bodies and \"operatīvās darbības subjektiem\". " +
			"Shares its code with the legal basis legal_obligation (§6.2); the two catalogues are separate."},
	{Code: "network_building", Name: "Building and maintaining the utility network",
		NameLV: "Inženierkomunikāciju tīkla uzturēšana un ierīkošana", Cite: "§5.6",
		Note: "Coordination with owners of land or buildings (§4.5), with or without a survey."},
	{Code: "other_announced", Name: "Other purposes announced when the data are given",
		NameLV: "Citi specifiski nolūki, par kuriem Klients tiek informēts brīdī, kad sniedz attiecīgus datus", Cite: "§5.7",
		Note: "The code does not say what the purpose was; the notice given at collection must be kept elsewhere."},
	{Code: "commercial_communication", Name: "Commercial communication: offers and other notices not tied to agreed services",
		NameLV: "Komerciālie paziņojumi un citi ar līgumā noteiktajiem pakalpojumiem nesaistīti paziņojumi", Cite: "§42–§47",
		Note: "§5 lists no marketing purpose; §42–§47 describe commercial communication and §7.16 names advertising as an interest. " +
			"A purpose of its own is ours, so that marketing consent (§44), opt-outs (§46) and the §43 offer can be checked against the messages."},
}

var purposes = newCatalogue(purposeList, termCode)

// Purposes returns the processing purposes of §5.1–§5.7 and §42–§47, in policy order.
// The slice is a copy.
func Purposes() []Term { return purposes.all() }

// LookupPurpose returns the purpose with the code.
func LookupPurpose(code string) (Term, bool) { return purposes.lookup(code) }

// legalBasisList holds the legal bases of §6.1–§6.5, and the §43 offer of
// similar goods and services, which needs no consent.
var legalBasisList = []Term{
	{Code: "contract", Name: "Conclusion and performance of a contract", NameLV: "Līguma noslēgšana un izpilde", Cite: "§6.1"},
	{Code: "legal_obligation", Name: "Compliance with a legal obligation", NameLV: "Normatīvo aktu prasību izpilde", Cite: "§6.2"},
	{Code: "consent", Name: "Consent of the data subject", NameLV: "Klienta – datu subjekta piekrišana", Cite: "§6.3"},
	{Code: "legitimate_interest", Name: "Legitimate interests of Balticom", NameLV: "Balticom leģitīmo interešu nodrošināšana", Cite: "§6.4",
		Note: "Only Balticom's own interests, \"arising from regulations or concluded contracts\"; the policy names no third-party interests and " +
			"states no balancing test (GDPR Art. 6(1)(f) requires one). The interests are listed in §7.1–§7.29."},
	{Code: "vital_interest", Name: "Vital interests of the data subject or another person",
		NameLV: "Datu subjekta vai citas fiziskās personas vitālo interešu nodrošināšana", Cite: "§6.5",
		Note: "The policy extends it to \"fizisko un īpašuma drošību\" (physical and property security) of staff, customers and visitors, " +
			"wider than GDPR Art. 6(1)(d); recorded as stated."},
	{Code: "similar_offer", Name: "E-mail offers of similar goods and services to own customers, without consent, while an opt-out is offered",
		NameLV: "Komerciālie e-pasti saviem klientiem par līdzīgām precēm un pakalpojumiem, neprasot Klienta piekrišanu", Cite: "§43",
		Note: "Not one of §6: the Information Society Services Law allows it (§43). Keeping it as a basis of its own is ours: such a message " +
			"is never a use of consent, so a consent withdrawal does not flag it, while an opt-out (§46) still stops it."},
}

var legalBases = newCatalogue(legalBasisList, termCode)

// LegalBases returns the legal bases of §6.1–§6.5 and §43, in policy order. The
// slice is a copy.
func LegalBases() []Term { return legalBases.all() }

// LookupLegalBasis returns the legal basis with the code.
func LookupLegalBasis(code string) (Term, bool) { return legalBases.lookup(code) }

// legitimateInterestList holds Balticom's legitimate interests, §7.1–§7.29.
// The code is the section number. Names follow the digest's §7 table; NameLV
// keeps the policy's words, dropping qualifiers where a point runs long.
var legitimateInterestList = []Term{
	{Code: "7.1", Name: "Conduct business", NameLV: "Veikt komercdarbību", Cite: "§7.1"},
	{Code: "7.2", Name: "Provide e-communications and other services, sell goods",
		NameLV: "Sniegt elektronisko sakaru un citus pakalpojumus, pārdot preces", Cite: "§7.2"},
	{Code: "7.3", Name: "Verify the customer's identity before contracting",
		NameLV: "Pārbaudīt Klienta identitāti pirms līguma noslēgšanas", Cite: "§7.3"},
	{Code: "7.4", Name: "Ensure performance of the contract", NameLV: "Nodrošināt līguma saistību izpildi", Cite: "§7.4"},
	{Code: "7.5", Name: "Avoid unjustified financial risk, incl. credit-risk assessment before sale and during the contract",
		NameLV: "Novērst nepamatotus finansiālus riskus savai komercdarbībai (t.sk. veikt kredītriska novērtējumu pirms preču un pakalpojumu pārdošanas un līguma izpildes laikā)", Cite: "§7.5"},
	{Code: "7.6", Name: "Keep customers' orders, applications and notes on them, written or oral",
		NameLV: "Saglabāt Klientu pieteikumus un iesniegumus, piezīmes par tiem, t.sk. kas veikti rakstveidā vai mutiski", Cite: "§7.6"},
	{Code: "7.7", Name: "Customer-service quality control, incl. recording and storing conversations",
		NameLV: "Veikt klientu apkalpošanas kvalitātes kontroli, t.sk. veicot sarunas ar Klientu ierakstu un ieraksta glabāšanu", Cite: "§7.7"},
	{Code: "7.8", Name: "Organise contract performance, incl. recording and storing conversations",
		NameLV: "Organizēt pakalpojuma līgumsaistību izpildi, t.sk. veicot sarunas ar Klientu ierakstu un ieraksta glabāšanu", Cite: "§7.8"},
	{Code: "7.9", Name: "Evidence of an oral contract, a customer's claim and consent, incl. recording and storing conversations",
		NameLV: "Nodrošināt mutiski noslēgta līguma, klienta izteikta prasījuma un piekrišanas pierādījumus, t.sk. veicot sarunas ar Klientu ierakstu un glabāšanu", Cite: "§7.9",
		Note: "§22's 6 months covers recordings on service operation, maintenance and billing only; recordings kept as this evidence have no stated period."},
	{Code: "7.10", Name: "E-mail offers to registered prepaid customers on similar services used or bought in the previous two years",
		NameLV: "Izsūtīt reģistrētajiem priekšapmaksas pakalpojumu klientiem komerciālus piedāvājumus e-pastā par līdzīgiem pakalpojumiem, kādus Klients lieto vai ir iegādājies iepriekšējo divu gadu periodā", Cite: "§7.10",
		Note: "Only registered prepaid customers who have not opted out; §43 (soft opt-in for own customers) is separate and has no look-back period."},
	{Code: "7.11", Name: "Analyse and improve websites and mobile apps",
		NameLV: "Analizēt Balticom mājaslapu, interneta vietņu un mobilo lietojumu darbību, izstrādāt un ieviest to uzlabojumus", Cite: "§7.11"},
	{Code: "7.12", Name: "Administer the customer's account on websites and apps",
		NameLV: "Administrēt Klienta kontu Balticom mājaslapās, interneta vietnēs un mobilajos lietojumos", Cite: "§7.12"},
	{Code: "7.13", Name: "Retain customers", NameLV: "Veikt darbības Klientu noturēšanai", Cite: "§7.13"},
	{Code: "7.14", Name: "Segment the customer database for more effective service",
		NameLV: "Segmentēt klientu datu bāzi pakalpojumu efektīvākai nodrošināšanai", Cite: "§7.14"},
	{Code: "7.15", Name: "Design and develop goods and services", NameLV: "Izstrādāt un attīstīt preces un pakalpojumus", Cite: "§7.15"},
	{Code: "7.16", Name: "Advertise its goods and services", NameLV: "Reklamēt savas preces un pakalpojumus", Cite: "§7.16"},
	{Code: "7.17", Name: "Send messages on contract progress and material events; survey customers (NPS)",
		NameLV: "Nosūtīt ziņojumus par līguma izpildes gaitu un līguma izpildei būtiskiem notikumiem, kā arī veikt Klientu aptaujas (NPS)", Cite: "§7.17",
		Note: "§41 puts contract-progress messages on the contract basis; the policy does not resolve the overlap."},
	{Code: "7.18", Name: "Ensure maintenance and development of e-communications networks",
		NameLV: "Nodrošināt elektronisko sakaru tīklu uzturēšanu un attīstību", Cite: "§7.18",
		Note: "Near-duplicate of §7.19 in the policy; kept apart because the policy numbers them apart."},
	{Code: "7.19", Name: "Maintain and develop the communications network", NameLV: "Uzturēt un attīstīt sakaru tīklu", Cite: "§7.19",
		Note: "Near-duplicate of §7.18 in the policy; kept apart because the policy numbers them apart."},
	{Code: "7.20", Name: "Monitor the network to detect and prevent technical problems and unlawful activity",
		NameLV: "Uzraudzīt sakaru tīkla darbību, lai konstatētu tehniskas problēmas, kā arī prettiesiskas darbības un tās novērstu", Cite: "§7.20"},
	{Code: "7.21", Name: "Prevent fraud", NameLV: "Novērst krāpniecību", Cite: "§7.21"},
	{Code: "7.22", Name: "Corporate governance, financial and business accounting, analytics",
		NameLV: "Nodrošināt korporatīvo pārvaldību, finanšu un biznesa uzskaiti un analītiku", Cite: "§7.22"},
	{Code: "7.23", Name: "Efficient management processes", NameLV: "Nodrošināt efektīvus uzņēmuma pārvaldības procesus", Cite: "§7.23"},
	{Code: "7.24", Name: "Efficiency of service provision, sales and delivery",
		NameLV: "Pakalpojumu sniegšanas un preču pārdošanas, un piegādes efektivitāte", Cite: "§7.24",
		Note: "Verbless in the original."},
	{Code: "7.25", Name: "Ensure and improve service quality", NameLV: "Nodrošināt un uzlabot pakalpojumu kvalitāti", Cite: "§7.25"},
	{Code: "7.26", Name: "Administer payments", NameLV: "Administrēt maksājumus", Cite: "§7.26"},
	{Code: "7.27", Name: "Administer unpaid payments", NameLV: "Administrēt neveiktus maksājumus", Cite: "§7.27"},
	{Code: "7.28", Name: "Turn to state and operational-activity bodies and courts to protect its legal interests",
		NameLV: "Vērsties valsts pārvaldes un operatīvās darbības iestādēs un tiesā savu tiesisko interešu aizsardzībai", Cite: "§7.28"},
	{Code: "7.29", Name: "Inform the public about its activities", NameLV: "Informēt sabiedrību par savu darbību", Cite: "§7.29"},
}

var legitimateInterests = newCatalogue(legitimateInterestList, termCode)

// LegitimateInterests returns Balticom's legitimate interests of
// §7.1–§7.29, in policy order; each Code is the section number ("7.20").
// The slice is a copy.
func LegitimateInterests() []Term { return legitimateInterests.all() }

// LookupLegitimateInterest returns the legitimate interest with the code,
// the section number without "§" ("7.20").
func LookupLegitimateInterest(code string) (Term, bool) { return legitimateInterests.lookup(code) }
