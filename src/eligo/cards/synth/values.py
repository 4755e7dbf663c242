"""Random but plausible card values: people, ids, dates, phones, addresses.

Every generator takes a ``random.Random`` so a sample is a pure function of its seed. Names and
numbers are invented; payer and PBM names are made up to avoid real trademarks.
"""

from __future__ import annotations

import datetime as dt
import random
import string

FIRST_NAMES = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Sandra",
    "Mark",
    "Margaret",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Paul",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Deborah",
    "Timothy",
    "Stephanie",
    "Ronald",
    "Dorothy",
    "Jason",
    "Rebecca",
    "Edward",
    "Sharon",
    "Jeffrey",
    "Laura",
    "Ryan",
    "Cynthia",
    "Jacob",
    "Amy",
    "Gary",
    "Kathleen",
    "Nicholas",
    "Angela",
    "Eric",
    "Shirley",
    "Jonathan",
    "Brenda",
    "Larry",
    "Emma",
    "Justin",
    "Anna",
    "Scott",
    "Pamela",
    "Brandon",
    "Nicole",
    "Benjamin",
    "Samantha",
    "Samuel",
    "Katherine",
    "Gregory",
    "Christine",
    "Alexander",
    "Helen",
    "Patrick",
    "Debra",
    "Frank",
    "Rachel",
    "Raymond",
    "Carolyn",
    "Jack",
    "Janet",
    "Dennis",
    "Maria",
    "Jerry",
    "Olivia",
    "Tyler",
    "Heather",
    "Aaron",
    "Diane",
    "Jose",
    "Julie",
    "Adam",
    "Joyce",
    "Nathan",
    "Victoria",
    "Henry",
    "Ruth",
    "Zachary",
    "Virginia",
    "Douglas",
    "Lauren",
    "Peter",
    "Kelly",
    "Kyle",
    "Christina",
    "Noah",
    "Joan",
    "Ethan",
    "Evelyn",
    "Jeremy",
    "Judith",
    "Walter",
    "Andrea",
    "Christian",
    "Hannah",
    "Keith",
    "Megan",
    "Roger",
    "Cheryl",
    "Terry",
    "Jacqueline",
    "Austin",
    "Martha",
    "Sean",
    "Madison",
    "Gerald",
    "Teresa",
    "Carl",
    "Gloria",
    "Harold",
    "Sara",
    "Dylan",
    "Janice",
    "Arthur",
    "Ann",
    "Lawrence",
    "Kathryn",
    "Jordan",
    "Abigail",
    "Jesse",
    "Sophia",
    "Bryan",
    "Frances",
    "Billy",
    "Jean",
    "Bruce",
    "Alice",
    "Gabriel",
    "Judy",
    "Joe",
    "Isabella",
    "Logan",
    "Julia",
    "Alan",
    "Grace",
    "Juan",
    "Amber",
    "Albert",
    "Denise",
    "Willie",
    "Danielle",
    "Elijah",
    "Marilyn",
    "Wayne",
    "Beverly",
    "Randy",
    "Charlotte",
    "Vincent",
    "Natalie",
    "Mason",
    "Theresa",
    "Roy",
    "Diana",
    "Ralph",
    "Brittany",
    "Bobby",
    "Doris",
    "Russell",
    "Kayla",
    "Bradley",
    "Alexis",
    "Philip",
    "Lori",
    "Eugene",
    "Marie",
    "Wei",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Priya",
    "Rahul",
    "Aisha",
    "Omar",
    "Fatima",
    "Ahmed",
    "Luis",
    "Carmen",
    "Diego",
    "Sofia",
    "Mateo",
    "Valentina",
    "Kwame",
    "Amara",
    "Nguyen",
    "Linh",
    "Dmitri",
    "Olga",
    "Ingrid",
    "Lars",
    "Siobhan",
    "Declan",
    "Rosa",
    "Ana",
)

LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Gonzales",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
    "Alexander",
    "Hamilton",
    "Graham",
    "Reynolds",
    "Griffin",
    "Wallace",
    "Moreno",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
    "Herrera",
    "Gibson",
    "Ellis",
    "Tran",
    "Medina",
    "Aguilar",
    "Stevens",
    "Murray",
    "Ford",
    "Castro",
    "Marshall",
    "Owens",
    "Harrison",
    "Fernandez",
    "McDonald",
    "Woods",
    "Washington",
    "Kennedy",
    "Wells",
    "Vargas",
    "Henry",
    "Chen",
    "Freeman",
    "Webb",
    "Tucker",
    "Guzman",
    "Burns",
    "Crawford",
    "Olson",
    "Simpson",
    "Porter",
    "Hunter",
    "Gordon",
    "Mendez",
    "Silva",
    "Shaw",
    "Snyder",
    "Mason",
    "Dixon",
    "Munoz",
    "Hunt",
    "Hicks",
    "Holmes",
    "Palmer",
    "Wagner",
    "Black",
    "Robertson",
    "Boyd",
    "Rose",
    "Stone",
    "Salazar",
    "Fox",
    "Warren",
    "Mills",
    "Meyer",
    "Rice",
    "Schmidt",
    "Garza",
    "Daniels",
    "Ferguson",
    "Nichols",
    "Stephens",
    "Soto",
    "Weaver",
    "Ryan",
    "Gardner",
    "Payne",
    "Grant",
    "Dunn",
    "Kowalski",
    "O'Brien",
    "Nakamura",
    "Tanaka",
    "Okafor",
    "Mensah",
    "Haddad",
    "Khan",
    "Singh",
    "Sharma",
    "Novak",
    "Larsen",
    "Johansson",
    "Dubois",
    "Rossi",
    "Schneider",
    "Fischer",
    "Hoffmann",
    "Ivanova",
    "Petrov",
    "Yilmaz",
    "Santos",
    "Oliveira",
    "Pham",
    "Le",
    "Wong",
    "Zhang",
)

# (city, state, zip) for claims addresses.
CITIES = (
    ("Salt Lake City", "UT", "84130"),
    ("Lexington", "KY", "40512"),
    ("Chattanooga", "TN", "37422"),
    ("Atlanta", "GA", "30374"),
    ("Dallas", "TX", "75266"),
    ("Phoenix", "AZ", "85072"),
    ("Louisville", "KY", "40201"),
    ("Scranton", "PA", "18505"),
    ("Columbus", "OH", "43216"),
    ("Green Bay", "WI", "54307"),
    ("Richmond", "VA", "23261"),
    ("Denver", "CO", "80217"),
    ("Portland", "OR", "97208"),
    ("Kansas City", "MO", "64121"),
    ("Omaha", "NE", "68103"),
    ("Albany", "NY", "12201"),
    ("Jacksonville", "FL", "32231"),
    ("Minneapolis", "MN", "55440"),
    ("Charlotte", "NC", "28272"),
    ("Boise", "ID", "83707"),
    ("Little Rock", "AR", "72203"),
    ("Des Moines", "IA", "50306"),
)

STATES = (
    "Ohio",
    "Texas",
    "Georgia",
    "Arizona",
    "Kentucky",
    "Oregon",
    "Iowa",
    "Nevada",
    "Kansas",
    "Indiana",
    "Missouri",
    "Utah",
    "Alabama",
    "Maine",
    "Vermont",
    "Idaho",
    "Montana",
    "Nebraska",
    "Colorado",
    "Virginia",
)

EMPLOYERS = (
    "Acme Manufacturing Co",
    "Riverbend School District",
    "Northwind Logistics",
    "Summit Ridge Hospital",
    "Blue Heron Software Inc",
    "City of Maple Falls",
    "Granite State Builders",
    "Pioneer Foods LLC",
    "Lakeshore Credit Union",
    "Harborview Engineering",
    "Cascade Outdoor Supply",
    "Redwood Legal Group",
    "Evergreen Senior Living",
    "Ironworks Fabrication",
    "Prairie Wind Energy",
    "Silverline Transit Authority",
    "Orchard Valley Farms",
    "Keystone Auto Group",
)

PBM_NAMES = (
    "ScriptPoint",
    "RxNova",
    "MedAxis Rx",
    "PillPath",
    "CareScript",
    "OptiScript",
    "Rxelerate",
    "TrueDose Rx",
)

# Printed ids avoid I and O (read as 1 and 0), as most payers' id schemes do.
ID_LETTERS = "".join(c for c in string.ascii_uppercase if c not in "IO")
ALNUM = ID_LETTERS + string.digits
# Letters allowed in a Medicare Beneficiary Identifier: no S, L, O, I, B, Z.
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


def digits(rng: random.Random, n: int, *, lead_nonzero: bool = False) -> str:
    first = str(rng.randint(1, 9)) if lead_nonzero else str(rng.randint(0, 9))
    return first + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def letters(rng: random.Random, n: int, alphabet: str = ID_LETTERS) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALNUM) for _ in range(n))


def person(rng: random.Random) -> tuple[str, str, str]:
    """(first, middle initial or '', last)."""
    middle = rng.choice(string.ascii_uppercase) if rng.random() < 0.45 else ""
    return rng.choice(FIRST_NAMES), middle, rng.choice(LAST_NAMES)


def format_name(rng: random.Random, first: str, middle: str, last: str, style: str) -> str:
    """Print a name in one of the styles seen on cards."""
    if style == "upper":
        parts = [first, middle, last] if middle else [first, last]
        return " ".join(parts).upper()
    if style == "last_first":
        return f"{last}, {first}{' ' + middle if middle else ''}".upper()
    parts = [first, middle + "." if middle else "", last]
    return " ".join(p for p in parts if p)


def mbi(rng: random.Random) -> str:
    """A Medicare Beneficiary Identifier following CMS's position rules (11 characters)."""
    num = string.digits
    alpha = MBI_LETTERS
    an = MBI_LETTERS + string.digits
    spec = (
        "123456789",  # 1: numeric 1-9
        alpha,
        an,
        num,
        alpha,
        an,
        num,
        alpha,
        alpha,
        num,
        num,
    )
    return "".join(rng.choice(s) for s in spec)


def is_valid_mbi(value: str) -> bool:
    """Check the CMS MBI position rules (used by tests and as an example for validators)."""
    if len(value) != 11:
        return False
    alpha = set(MBI_LETTERS)
    an = alpha | set(string.digits)
    num = set(string.digits)
    spec = (set("123456789"), alpha, an, num, alpha, an, num, alpha, alpha, num, num)
    return all(ch in allowed for ch, allowed in zip(value, spec, strict=True))


def format_mbi(value: str) -> str:
    """MBIs are printed in 4-3-4 groups with dashes on the red-white-blue card."""
    return f"{value[:4]}-{value[4:7]}-{value[7:]}"


def date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def first_of_month(rng: random.Random, start_year: int, end_year: int) -> dt.date:
    return dt.date(rng.randint(start_year, end_year), rng.randint(1, 12), 1)


DATE_FORMATS = {
    "mdy": "%m/%d/%Y",
    "mdy2": "%m/%d/%y",
    "mdy_dash": "%m-%d-%Y",
    "iso": "%Y-%m-%d",
}


def format_date(value: dt.date, style: str) -> str:
    return value.strftime(DATE_FORMATS[style])


def phone(rng: random.Random, *, toll_free: bool = True) -> str:
    """A NANP number as 10 digits (canonical truth form is ``NNN-NNN-NNNN``)."""
    area = (
        rng.choice(("800", "833", "844", "855", "866", "877", "888"))
        if toll_free
        else str(rng.randint(2, 9)) + digits(rng, 2)
    )
    exchange = str(rng.randint(2, 9)) + digits(rng, 2)
    return area + exchange + digits(rng, 4)


def canonical_phone(ten: str) -> str:
    return f"{ten[:3]}-{ten[3:6]}-{ten[6:]}"


PHONE_STYLES = ("dash1", "paren", "dash", "dot", "paren1")


def format_phone(ten: str, style: str) -> str:
    a, e, n = ten[:3], ten[3:6], ten[6:]
    return {
        "dash1": f"1-{a}-{e}-{n}",
        "paren": f"({a}) {e}-{n}",
        "dash": f"{a}-{e}-{n}",
        "dot": f"{a}.{e}.{n}",
        "paren1": f"1 ({a}) {e}-{n}",
    }[style]


def claims_address(rng: random.Random) -> tuple[list[str], str]:
    """Printed lines and the truth (lines joined by ', ')."""
    city, state, zip5 = rng.choice(CITIES)
    box = f"PO Box {rng.randint(1000, 99999)}"
    zipcode = zip5 + (f"-{digits(rng, 4)}" if rng.random() < 0.4 else "")
    lines = [box, f"{city}, {state} {zipcode}"]
    if rng.random() < 0.3:
        lines.insert(0, "Claims Department" if rng.random() < 0.5 else "Attn: Claims")
    return lines, ", ".join(lines)


def money(rng: random.Random, choices: tuple[int, ...], *, cents: bool = False) -> str:
    value = rng.choice(choices)
    return f"${value:,}.00" if cents else f"${value:,}"


COPAY_BENEFITS = {
    "pcp": ("PCP", "Office Visit", "Primary Care", "PCP Visit", "Primary"),
    "spec": ("Specialist", "SPC", "Spec", "Specialist Visit"),
    "uc": ("Urgent Care", "UC", "Urgent"),
    "er": ("ER", "Emergency Room", "Emergency", "ER Visit"),
    "rx": ("Rx Generic", "Generic Rx", "Rx", "Generic"),
    "vv": ("Virtual Visit", "Telehealth", "Virtual"),
}

COPAY_AMOUNTS = {
    "pcp": (0, 10, 15, 20, 25, 30, 35, 40),
    "spec": (20, 30, 40, 50, 60, 75),
    "uc": (25, 40, 50, 75, 100),
    "er": (100, 150, 200, 250, 300, 350, 500),
    "rx": (0, 5, 10, 15, 20),
    "vv": (0, 10, 15),
}


def copays(rng: random.Random, n: int, *, cents: bool = False) -> list[dict[str, str]]:
    kinds = rng.sample(list(COPAY_BENEFITS), n)
    out = []
    for kind in kinds:
        amount = money(rng, COPAY_AMOUNTS[kind], cents=cents)
        if kind == "spec" and rng.random() < 0.1:
            amount = f"{rng.choice((10, 20, 30))}%"
        out.append({"benefit": rng.choice(COPAY_BENEFITS[kind]), "amount": amount})
    return out


def deductible(rng: random.Random) -> str:
    return money(rng, (250, 500, 750, 1000, 1500, 2000, 2500, 3000, 3500, 5000, 6500))


def rx_bin(rng: random.Random) -> str:
    return digits(rng, 6)


def rx_pcn(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return letters(rng, rng.randint(2, 7))
    if kind < 0.6:
        return digits(rng, rng.randint(4, 8))
    return letters(rng, rng.randint(1, 3)) + digits(rng, rng.randint(1, 4))


def rx_group(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return letters(rng, rng.randint(2, 4)) + digits(rng, rng.randint(3, 6))
    if kind < 0.7:
        return alnum(rng, rng.randint(5, 9))
    return digits(rng, rng.randint(5, 8))


def group_number(rng: random.Random, style: str = "digits") -> str:
    if style == "digits":
        return digits(rng, rng.randint(5, 8))
    if style == "dash":
        return f"{digits(rng, rng.randint(5, 7))}-{digits(rng, 3)}"
    if style == "alpha":
        return letters(rng, 1) + digits(rng, rng.randint(5, 7))
    return alnum(rng, rng.randint(6, 9))


def issuer_id(rng: random.Random) -> str:
    """80840 followed by the issuer's 10 digits (truth form has no spaces or brackets)."""
    return "80840" + digits(rng, 10, lead_nonzero=True)


def payer_id(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return digits(rng, 5)
    return letters(rng, rng.randint(1, 2)) + digits(rng, 5 - 2)
