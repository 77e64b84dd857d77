"""The vocabulary synthetic incidents are written in: places, parties and conflict reporting.

Real words, so full-text search has something to find and the stemmer something to do;
no corpus is downloaded.
"""

# ISO code, country, [(place, region, latitude, longitude)], weight.
COUNTRIES = [
    (
        "SY",
        "Syria",
        [
            ("Idlib", "Idlib Governorate", 35.93, 36.63),
            ("Maarat al-Numan", "Idlib Governorate", 35.64, 36.67),
            ("Kfar Takharim", "Idlib Governorate", 36.12, 36.52),
            ("Aleppo", "Aleppo Governorate", 36.20, 37.13),
            ("Douma", "Rif Dimashq Governorate", 33.57, 36.40),
            ("Raqqa", "Raqqa Governorate", 35.95, 39.01),
            ("Deir ez-Zor", "Deir ez-Zor Governorate", 35.33, 40.14),
            ("Homs", "Homs Governorate", 34.73, 36.71),
            ("Daraa", "Daraa Governorate", 32.62, 36.10),
        ],
        18,
    ),
    (
        "YE",
        "Yemen",
        [
            ("Sanaa", "Amanat al-Asimah", 15.37, 44.19),
            ("Hodeidah", "Hodeidah Governorate", 14.80, 42.95),
            ("Taiz", "Taiz Governorate", 13.58, 44.02),
            ("Saada", "Saada Governorate", 16.94, 43.76),
            ("Marib", "Marib Governorate", 15.46, 45.33),
        ],
        10,
    ),
    (
        "IQ",
        "Iraq",
        [
            ("Mosul", "Nineveh Governorate", 36.34, 43.13),
            ("Fallujah", "Anbar Governorate", 33.35, 43.78),
            ("Kirkuk", "Kirkuk Governorate", 35.47, 44.39),
            ("Tal Afar", "Nineveh Governorate", 36.38, 42.45),
        ],
        8,
    ),
    (
        "UA",
        "Ukraine",
        [
            ("Kharkiv", "Kharkiv Oblast", 49.99, 36.23),
            ("Mariupol", "Donetsk Oblast", 47.10, 37.54),
            ("Bakhmut", "Donetsk Oblast", 48.59, 38.00),
            ("Kherson", "Kherson Oblast", 46.64, 32.61),
            ("Odesa", "Odesa Oblast", 46.48, 30.72),
            ("Zaporizhzhia", "Zaporizhzhia Oblast", 47.84, 35.14),
        ],
        12,
    ),
    (
        "SD",
        "Sudan",
        [
            ("El Fasher", "North Darfur", 13.63, 25.35),
            ("Khartoum", "Khartoum State", 15.50, 32.56),
            ("Omdurman", "Khartoum State", 15.64, 32.48),
            ("Nyala", "South Darfur", 12.05, 24.88),
        ],
        7,
    ),
    (
        "AF",
        "Afghanistan",
        [
            ("Kunduz", "Kunduz Province", 36.73, 68.86),
            ("Lashkar Gah", "Helmand Province", 31.59, 64.37),
            ("Kabul", "Kabul Province", 34.53, 69.17),
            ("Jalalabad", "Nangarhar Province", 34.43, 70.45),
        ],
        6,
    ),
    (
        "SO",
        "Somalia",
        [
            ("Mogadishu", "Banaadir", 2.05, 45.32),
            ("Kismayo", "Lower Juba", -0.36, 42.55),
            ("Baidoa", "Bay", 3.11, 43.65),
        ],
        4,
    ),
    (
        "LY",
        "Libya",
        [
            ("Tripoli", "Tripoli District", 32.89, 13.19),
            ("Benghazi", "Benghazi District", 32.12, 20.07),
            ("Sirte", "Sirte District", 31.21, 16.59),
        ],
        4,
    ),
    (
        "ML",
        "Mali",
        [
            ("Gao", "Gao Region", 16.27, -0.04),
            ("Mopti", "Mopti Region", 14.49, -4.19),
            ("Timbuktu", "Timbuktu Region", 16.77, -3.01),
        ],
        3,
    ),
    (
        "NG",
        "Nigeria",
        [
            ("Maiduguri", "Borno State", 11.85, 13.16),
            ("Gusau", "Zamfara State", 12.17, 6.66),
        ],
        3,
    ),
    (
        "PS",
        "Palestine",
        [
            ("Gaza City", "Gaza Governorate", 31.50, 34.47),
            ("Khan Younis", "Khan Younis Governorate", 31.35, 34.31),
            ("Rafah", "Rafah Governorate", 31.30, 34.25),
            ("Jenin", "Jenin Governorate", 32.46, 35.30),
        ],
        9,
    ),
    (
        "LB",
        "Lebanon",
        [
            ("Nabatieh", "Nabatieh Governorate", 33.38, 35.48),
            ("Tyre", "South Governorate", 33.27, 35.20),
            ("Baalbek", "Baalbek-Hermel Governorate", 34.00, 36.21),
        ],
        3,
    ),
    (
        "MM",
        "Myanmar",
        [
            ("Lashio", "Shan State", 22.93, 97.75),
            ("Monywa", "Sagaing Region", 22.11, 95.13),
            ("Hpakant", "Kachin State", 25.61, 96.31),
        ],
        4,
    ),
    (
        "ET",
        "Ethiopia",
        [
            ("Mekelle", "Tigray Region", 13.50, 39.47),
            ("Bahir Dar", "Amhara Region", 11.59, 37.39),
        ],
        3,
    ),
    (
        "CD",
        "DR Congo",
        [
            ("Goma", "North Kivu", -1.68, 29.23),
            ("Bunia", "Ituri", 1.56, 30.25),
        ],
        3,
    ),
]

# Parties that strikes are blamed on, per country of operation. The state's own forces
# are added for every country (its government, defence ministry, air force and army).
FOREIGN_FORCES = [
    # name, kind, countries, parent government
    ("Russian Aerospace Forces", "armed_force", ["SY", "UA"], "Government of Russia"),
    ("Russian Ground Forces", "armed_force", ["UA"], "Government of Russia"),
    (
        "US-led coalition",
        "armed_force",
        ["SY", "IQ", "AF", "SO"],
        "Government of the United States",
    ),
    ("Saudi-led coalition", "armed_force", ["YE"], "Government of Saudi Arabia"),
    ("Turkish Armed Forces", "armed_force", ["SY", "IQ"], "Government of Turkey"),
    ("Israel Defense Forces", "armed_force", ["PS", "LB", "SY"], "Government of Israel"),
    ("Islamic State", "armed_force", ["SY", "IQ", "AF", "NG"], None),
    ("Hayat Tahrir al-Sham", "armed_force", ["SY"], None),
    ("Syrian Democratic Forces", "armed_force", ["SY"], None),
    ("Ansar Allah", "armed_force", ["YE"], None),
    ("Rapid Support Forces", "armed_force", ["SD"], None),
    ("al-Shabaab", "armed_force", ["SO"], None),
    ("Taliban", "armed_force", ["AF"], None),
    ("Libyan National Army", "armed_force", ["LY"], None),
    ("Jama'at Nusrat al-Islam wal-Muslimin", "armed_force", ["ML"], None),
    ("Boko Haram", "armed_force", ["NG"], None),
    ("Hamas", "armed_force", ["PS"], None),
    ("Hezbollah", "armed_force", ["LB", "SY"], None),
    ("Arakan Army", "armed_force", ["MM"], None),
    ("Tigray Defense Forces", "armed_force", ["ET"], None),
    ("M23", "armed_force", ["CD"], None),
]
FOREIGN_GOVERNMENTS = [
    "Government of Russia",
    "Government of the United States",
    "Government of Saudi Arabia",
    "Government of Turkey",
    "Government of Israel",
]

UN_BODIES = [
    "UN Office for the Coordination of Humanitarian Affairs",
    "UN Human Rights Office",
    "UNICEF",
    "World Health Organization",
    "UN Refugee Agency",
    "World Food Programme",
    "UN Commission of Inquiry",
    "UN Assistance Mission",
    "UN Mine Action Service",
    "UN Population Fund",
]

MONITOR_PATTERNS = [
    "{adjective} Observatory for Human Rights",
    "{place} Monitoring Group",
    "{place} Documentation Centre",
    "{adjective} Network for Human Rights",
    "{place} Coordination Committee",
    "{adjective} Violations Documentation Center",
    "{adjective} Civilian Casualty Monitor",
    "{place} Media Office",
]
NGO_PATTERNS = [
    "{place} Civil Defence",
    "Doctors of {place}",
    "{adjective} Relief Network",
    "{adjective} Medical Society",
    "{place} Health Directorate",
    "{adjective} Red Crescent in {place}",
    "{place} Humanitarian Forum",
    "Friends of {place}",
]
MEDIA_PATTERNS = [
    "{place} Post",
    "{adjective} News Agency",
    "{place} Times",
    "{adjective} Broadcasting Service",
    "{place} Daily",
    "Radio {place}",
    "{adjective} Press",
    "{place} Observer",
]
ADJECTIVES = {
    "SY": "Syrian",
    "YE": "Yemeni",
    "IQ": "Iraqi",
    "UA": "Ukrainian",
    "SD": "Sudanese",
    "AF": "Afghan",
    "SO": "Somali",
    "LY": "Libyan",
    "ML": "Malian",
    "NG": "Nigerian",
    "PS": "Palestinian",
    "LB": "Lebanese",
    "MM": "Myanmar",
    "ET": "Ethiopian",
    "CD": "Congolese",
}
FIRST_NAMES = [
    "Ahmad", "Hassan", "Omar", "Fatima", "Layla", "Yusuf", "Mariam", "Khaled", "Rania",
    "Samir", "Nour", "Ali", "Huda", "Karim", "Salma", "Tariq", "Amina", "Bilal", "Dina",
    "Faisal", "Hala", "Ibrahim", "Jamal", "Lina", "Mahmoud", "Nadia", "Rami", "Sara",
    "Walid", "Zainab", "Olena", "Andriy", "Iryna", "Taras", "Abdi", "Halima", "Musa",
    "Aisha", "Kyaw", "Thida", "Tesfaye", "Meron", "Jean", "Esther", "Moussa", "Aminata",
]  # fmt: skip
LAST_NAMES = [
    "Ariha", "Dughaim", "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Youssef",
    "Darwish", "Hamdan", "Jaber", "Kassem", "Mustafa", "Othman", "Qasim", "Rahman",
    "Sabbagh", "Taha", "Zaki", "Bakr", "Farouk", "Ghanem", "Hariri", "Issa", "Kanaan",
    "Shevchenko", "Kovalenko", "Bondarenko", "Hassan", "Mohamed", "Warsame", "Aung",
    "Tun", "Gebremedhin", "Tadesse", "Mukendi", "Kabila", "Traore", "Diallo", "Bello",
]  # fmt: skip

EVENTS = [
    # title noun, verb phrase for summaries
    ("Airstrikes", "air raids struck"),
    ("Airstrike", "an air raid struck"),
    ("Shelling", "artillery shells landed on"),
    ("Drone strike", "a drone strike hit"),
    ("Missile strike", "a missile struck"),
    ("Barrel bomb attack", "barrel bombs were dropped on"),
    ("Car bomb", "a car bomb exploded near"),
    ("Rocket attack", "rockets hit"),
    ("Mortar fire", "mortar rounds fell on"),
    ("Explosion", "an explosion tore through"),
    ("Ground assault", "fighters stormed"),
    ("Cluster munitions attack", "cluster munitions were fired at"),
]
TARGETS = [
    "the National Hospital",
    "a field hospital",
    "a market",
    "a mosque",
    "a school",
    "a bakery",
    "a camp for displaced people",
    "a residential building",
    "a water station",
    "a power plant",
    "a bridge",
    "a clinic",
    "a vaccination centre",
    "a checkpoint",
    "an aid convoy",
    "farmland",
    "a church",
    "the university",
    "a fuel depot",
    "public gardens",
    "a bus station",
    "a wedding party",
    "a funeral",
    "a prison",
    "a refugee shelter",
]
TIMES_OF_DAY = [
    "late at night",
    "before dawn",
    "in the early morning",
    "at midday",
    "in the afternoon",
    "in the evening",
    "during Friday prayers",
    "as families gathered",
    "while the market was crowded",
]
REPORTING_VERBS = ["said", "reported", "told reporters", "stated", "claimed", "announced"]
CIRCUMSTANCES = [
    "Rescuers were still searching the rubble for survivors.",
    "Several people were trapped under collapsed buildings.",
    "Ambulances ferried the wounded to overwhelmed hospitals.",
    "Residents fled to nearby villages after the attack.",
    "Amateur videos showed plumes of smoke rising over the neighbourhood.",
    "Civil defence teams pulled bodies from the debris.",
    "Medical staff said many of the victims were women and children.",
    "The attack came despite a declared ceasefire.",
    "Witnesses described a series of loud explosions.",
    "Electricity and water supplies were cut to the area.",
    "Aid workers warned that fuel shortages hampered the rescue.",
    "Local officials called for an independent investigation.",
]
DENIAL_TEMPLATES = [
    "{party} conducted no airstrikes in {region} on that day.",
    "{party} denied hitting civilian areas and said it struck only military targets.",
    "Reports blaming {party} are fabricated and part of a disinformation campaign.",
    "{party} said its forces were not operating anywhere near {place}.",
    "The casualty figures circulated by activists are grossly exaggerated, {party} said.",
    "{party} rejected the accusations as baseless and said no civilians were harmed.",
]
ASSESSMENT_RATIONALES = [
    "Several independent monitors agree on the location and timing.",
    "Only one source reports the incident; no imagery was found.",
    "Accounts agree on the strike but differ sharply on the toll.",
    "The accused party denies involvement and the evidence is mixed.",
    "Satellite imagery and verified videos corroborate the reports.",
    "The incident was later found to be conflated with another attack.",
]
LANGUAGES = ["en", "en", "en", "en", "ar", "fr", "uk", "ru", "so", "my"]

NUMBER_WORDS = {
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
}

# Casualty category slug (from the categories migration), weight, noun in statements.
CATEGORIES = [
    ("killed", 40, "people were killed"),
    ("injured", 25, "were wounded"),
    ("killed_or_injured", 6, "people were killed or wounded"),
    ("civilians_killed", 10, "civilians were killed"),
    ("children_killed", 9, "children were among the dead"),
    ("women_killed", 5, "women were among the dead"),
    ("missing", 3, "people were missing"),
    ("trapped", 2, "people were trapped under the rubble"),
]
