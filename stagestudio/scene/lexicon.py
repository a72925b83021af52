"""Word lists for the offline prompt parser: class names and their synonyms, attribute words,
number words, relation-free function words and the nouns that describe a setting rather than
an object.

Everything is data; the rules that use it live in `parser.py`. Nouns are keyed by their
lower-case token tuple (`("cell", "phone")`) so the parser can match multi-word names
longest-first.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_CLASSES_FILE = Path(__file__).with_name("geneval_classes.txt")


@lru_cache(maxsize=1)
def geneval_classes() -> tuple[str, ...]:
    """GenEval's 80 object classes (the COCO names), in the benchmark's order."""
    names = [line.strip() for line in _CLASSES_FILE.read_text(encoding="utf-8").splitlines()]
    return tuple(n for n in names if n)


# Other ways of naming a GenEval class. Every entry is a singular surface form; plurals are
# generated. Kept generous because paraphrased prompts use everyday words ("sofa", "fridge").
CLASS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "person": ("man", "woman", "boy", "girl", "child", "kid", "lady", "gentleman", "guy", "human",
               "adult", "teenager", "toddler", "baby", "pedestrian", "individual", "someone", "somebody",
               "policeman", "police officer", "chef", "worker", "player", "skier", "surfer",
               "skateboarder", "snowboarder", "cyclist", "rider", "tourist", "student", "farmer",
               "soldier", "doctor", "nurse", "athlete", "dancer", "businessman", "businesswoman",
               "old man", "old woman", "young man", "young woman", "little girl", "little boy",
               # people WordNet 3.0 (2006) has no word for yet
               "barista", "influencer", "vlogger", "youtuber", "gamer", "cosplayer", "superhero"),
    "bicycle": ("bike", "cycle", "push bike", "pushbike", "mountain bike", "road bike", "racing bike",
                "bmx bike", "tandem bicycle"),
    "car": ("automobile", "auto", "sedan", "hatchback", "coupe", "convertible", "taxi", "cab",
            "taxicab", "sports car", "race car", "racecar", "suv", "jeep", "limousine", "limo",
            "station wagon", "minivan", "police car", "motorcar"),
    "motorcycle": ("motorbike", "motor bike", "motor cycle", "dirt bike", "scooter", "moped",
                   "chopper", "harley"),
    "airplane": ("aeroplane", "plane", "airliner", "jet", "jetliner", "jet plane", "aircraft",
                 "passenger plane", "passenger jet", "biplane", "seaplane", "propeller plane",
                 "fighter jet", "air plane"),
    "bus": ("autobus", "coach bus", "school bus", "double decker bus", "double decker", "minibus",
            "trolleybus", "city bus", "tour bus", "omnibus"),
    "train": ("locomotive", "steam train", "railway train", "passenger train", "freight train",
              "subway train", "tram", "streetcar", "bullet train", "steam engine"),
    "truck": ("lorry", "pickup truck", "pickup", "pick up truck", "dump truck", "fire truck",
              "firetruck", "fire engine", "semi truck", "delivery truck", "tow truck",
              "tractor trailer"),
    "boat": ("ship", "sailboat", "sailing boat", "yacht", "canoe", "kayak", "rowboat", "rowing boat",
             "motorboat", "speedboat", "ferry", "dinghy", "sailing ship", "fishing boat", "gondola",
             "raft", "vessel", "steamboat", "tugboat", "catamaran"),
    "traffic light": ("traffic signal", "stoplight", "stop light", "traffic lamp", "signal light",
                      "traffic lights"),
    "fire hydrant": ("hydrant", "fireplug", "fire plug", "water hydrant"),
    "stop sign": ("stop signboard", "octagonal stop sign", "traffic stop sign"),
    "parking meter": ("parking machine", "parking-meter", "meter"),
    "bench": ("park bench", "wooden bench", "garden bench", "pew", "bench seat"),
    "bird": ("sparrow", "parrot", "pigeon", "dove", "seagull", "gull", "robin", "crow", "raven",
             "eagle", "hawk", "falcon", "owl", "finch", "bluebird", "cardinal", "hummingbird",
             "swallow", "canary", "flamingo", "peacock", "pelican", "heron", "stork", "swan",
             "duck", "duckling", "goose", "chicken", "hen", "rooster", "chick", "penguin",
             "ostrich", "toucan", "woodpecker", "magpie", "budgie", "parakeet", "macaw",
             "songbird", "blackbird", "jay", "bluejay", "blue jay", "kingfisher", "starling"),
    "cat": ("kitten", "kitty", "kitties", "tomcat", "tabby", "tabby cat", "house cat", "housecat",
            "pussycat", "siamese cat", "persian cat", "feline", "moggy"),
    "dog": ("puppy", "pup", "doggy", "doggie", "hound", "canine", "labrador", "labrador retriever",
            "golden retriever", "retriever", "poodle", "beagle", "bulldog", "terrier", "dachshund",
            "corgi", "husky", "chihuahua", "german shepherd", "shepherd dog", "sheepdog", "collie",
            "border collie", "pug", "spaniel", "dalmatian", "greyhound", "rottweiler", "doberman",
            "schnauzer", "shih tzu", "pomeranian", "boxer dog", "sheltie", "mastiff", "great dane",
            "pit bull", "pitbull", "whippet", "setter", "pointer dog", "samoyed", "akita",
            "shiba inu", "basset hound", "bloodhound"),
    "horse": ("pony", "foal", "stallion", "mare", "colt", "filly", "steed", "mustang"),
    "sheep": ("lamb", "ram", "ewe", "lambkin"),
    "cow": ("cattle", "bull", "calf", "ox", "heifer", "bullock", "dairy cow", "steer"),
    "elephant": ("baby elephant", "calf elephant", "pachyderm"),
    "bear": ("grizzly", "grizzly bear", "polar bear", "panda",
             "panda bear", "bear cub", "cub"),
    "zebra": ("zebra foal",),
    "giraffe": ("baby giraffe",),
    "backpack": ("rucksack", "knapsack", "school bag", "schoolbag", "bookbag", "book bag",
                 "daypack", "back pack"),
    "umbrella": ("parasol", "brolly", "sun umbrella", "beach umbrella"),
    "handbag": ("purse", "hand bag", "clutch bag", "tote bag", "tote", "shoulder bag", "pocketbook",
                "satchel", "ladies bag"),
    "tie": ("necktie", "neck tie", "bow tie", "bowtie", "cravat"),
    "suitcase": ("luggage", "travel case", "trolley case", "valise", "suit case", "carry on",
                 "baggage", "luggage bag"),
    "frisbee": ("flying disc", "flying disk", "frisbie", "disc"),
    "skis": ("ski", "pair of skis", "ski set"),
    "snowboard": ("snow board",),
    "sports ball": ("ball", "football", "soccer ball", "basketball", "volleyball", "tennis ball",
                    "beach ball", "rugby ball", "baseball ball", "golf ball", "soccerball",
                    "sport ball", "bowling ball", "netball", "handball", "softball", "baseball"),
    "kite": ("paper kite",),
    "baseball bat": ("bat", "softball bat", "cricket bat", "wooden bat"),
    "baseball glove": ("baseball mitt", "mitt", "catcher's mitt", "softball glove", "glove",
                       "fielding glove", "baseball gloves"),
    "skateboard": ("skate board", "longboard", "skate deck"),
    "surfboard": ("surf board", "bodyboard"),  # (a paddleboard is a board of its own, stood on and paddled)
    "tennis racket": ("tennis racquet", "racket", "racquet", "badminton racket", "squash racket"),
    "bottle": ("water bottle", "wine bottle", "beer bottle", "soda bottle", "plastic bottle",
               "glass bottle", "milk bottle", "jug"),
    "wine glass": ("wineglass", "glass of wine", "wine goblet", "goblet", "champagne glass",
                   "champagne flute", "stemware", "glass", "drinking glass", "cocktail glass",
                   "martini glass"),
    "cup": ("mug", "coffee mug", "coffee cup", "teacup", "tea cup", "tumbler",
            "cup of coffee", "cup of tea", "paper cup", "espresso cup", "mug of coffee"),
    "fork": ("dinner fork", "table fork"),
    "knife": ("kitchen knife", "chef knife", "chef's knife", "butter knife", "dagger", "blade",
              "steak knife", "pocket knife", "penknife", "cleaver"),
    # (not "ladle": WordNet makes it a spoon-shaped vessel, a container of its own)
    "spoon": ("teaspoon", "tablespoon", "soup spoon", "dessert spoon"),
    "bowl": ("dish", "soup bowl", "salad bowl", "mixing bowl", "cereal bowl", "basin bowl",
             "rice bowl", "bowl of soup"),
    "banana": ("plantain", "banana fruit"),
    "apple": ("apple fruit", "crab apple"),
    # (a burger keeps its own name: the annotators of two independent gold sets wrote "burger",
    # with "hamburger" as its alias and no "sandwich")
    "sandwich": ("sub sandwich", "hoagie", "panini", "sandwiches", "club sandwich", "sarnie", "blt"),
    "orange": ("tangerine", "mandarin", "mandarin orange", "clementine", "satsuma", "orange fruit",
               "citrus fruit", "navel orange"),
    "broccoli": ("broccoli floret", "broccoli head", "head of broccoli", "brocoli", "broccolli"),
    "carrot": ("baby carrot", "carrot stick"),
    "hot dog": ("hotdog", "frankfurter", "wiener", "sausage sandwich", "corn dog",
                "hot dog sandwich"),
    "pizza": ("pizza pie", "slice of pizza", "pizza slice", "calzone"),
    "donut": ("doughnut", "donought", "cruller"),
    "cake": ("cupcake", "birthday cake", "wedding cake", "cheesecake", "gateau", "sponge cake",
             "layer cake", "pastry", "muffin", "torte"),
    "chair": ("armchair", "arm chair", "office chair", "rocking chair", "dining chair",
              "folding chair", "highchair", "high chair", "deck chair", "recliner",
              "lounge chair", "wheelchair", "throne"),
    "couch": ("sofa", "settee", "loveseat", "love seat", "divan", "chesterfield", "futon",
              "sectional", "sofa bed", "davenport"),
    "potted plant": ("plant", "houseplant", "house plant", "pot plant", "flowerpot", "flower pot",
                     "potted flower", "plant pot", "potted fern", "potted cactus", "indoor plant",
                     "bonsai", "bonsai tree", "potted succulent", "plant in a pot", "planter",
                     "potted tree"),
    # (a kind of plant is that plant unless the prompt pots it: "a cactus beside a rock" is a
    # cactus, "a potted cactus" a potted plant; nouns.py names any "potted" plant so)
    "bed": ("double bed", "single bed", "king size bed", "bunk bed", "crib", "cot",
            "four poster bed", "bedstead", "daybed"),
    "dining table": ("table", "dinner table", "kitchen table", "dining-table", "breakfast table",
                     "picnic table", "coffee table", "wooden table", "side table", "banquet table",
                     "diningtable", "dining room table", "tabletop"),
    "toilet": ("toilet bowl", "lavatory", "loo", "commode", "water closet", "urinal", "wc"),
    "tv": ("television", "television set", "tv set", "t.v.", "telly", "flatscreen",
           "flat screen tv", "flat screen television", "flat-screen tv", "tv screen", 
           "smart tv", "monitor", "computer monitor"),
    "laptop": ("laptop computer", "notebook computer", "notebook pc", "macbook", "chromebook",
               "ultrabook", "portable computer", "laptop pc"),
    "computer mouse": ("mouse", "computer mice", "wireless mouse", "optical mouse", "pc mouse",
                       "mouse device"),
    "tv remote": ("remote", "remote control", "remote controller", "tv remote control",
                  "television remote", "television remote control", "clicker", "tv controller",
                  "tv-remote"),
    "computer keyboard": ("keyboard", "pc keyboard", "typing keyboard", "laptop keyboard",
                          "wireless keyboard", "mechanical keyboard", "qwerty keyboard"),
    "cell phone": ("cellphone", "cellular phone", "mobile phone", "mobile", "smartphone",
                   "smart phone", "phone", "iphone", "android phone", "telephone", "mobile telephone",
                   "handset"),
    "microwave": ("microwave oven", "microwave ovens", "microwave-oven"),
    "oven": ("stove", "cooker", "kitchen oven", "stove top", "stovetop", "toaster oven",
             "baking oven"),
    "toaster": ("bread toaster", "pop up toaster", "pop-up toaster"),
    "sink": ("washbasin", "wash basin", "basin", "kitchen sink", "bathroom sink", "hand basin",
             "washbowl", "lavabo"),
    "refrigerator": ("fridge", "refrigerator-freezer", "fridge freezer", "freezer", "icebox",
                     "refridgerator", "frige"),
    "book": ("novel", "hardcover", "paperback", "textbook", "notebook", "diary", "journal",
             "storybook", "cookbook", "hardback", "tome", "booklet", "manual", "dictionary",
             "encyclopedia", "album"),
    "clock": ("wall clock", "alarm clock", "clock face", "grandfather clock", "timepiece",
              "cuckoo clock", "analog clock", "digital clock"),
    "vase": ("flower vase", "urn", "amphora", "vase of flowers"),
    "scissors": ("pair of scissors", "scissor", "shears", "clippers"),
    "teddy bear": ("teddy", "teddybear", "stuffed bear", "plush bear", "toy bear", "teddy-bear",
                   "stuffed teddy", "stuffed animal", "plush toy", "soft toy", "cuddly toy",
                   "plushie", "stuffed toy", "plush teddy"),
    "hair drier": ("hair dryer", "hairdryer", "hairdrier", "blow dryer", "blow drier", "blowdryer",
                   "blow-dryer", "hair blower", "hair-dryer", "hair-drier"),
    "toothbrush": ("tooth brush", "electric toothbrush", "tooth-brush"),
}

# Plural forms that inflection rules get wrong, or that GenEval's own prompts use
# ("two sheeps", "four benchs"): accepted as plurals of the class.
EXTRA_PLURALS: dict[str, tuple[str, ...]] = {
    # (the indefinite pronouns for everybody there: several people, "everyone staring at the stage")
    "person": ("people", "persons", "folks", "everyone", "everybody"),
    "man": ("men",),
    "policeman": ("policemen",),
    "businessman": ("businessmen",),
    "businesswoman": ("businesswomen",),
    "gentleman": ("gentlemen",),
    "penknife": ("penknives",),
    "woman": ("women",),
    "child": ("children", "childs"),
    "sheep": ("sheeps",),
    "bench": ("benchs",),
    "knife": ("knifes", "knives"),
    "sandwich": ("sandwichs",),
    "toothbrush": ("toothbrushs",),
    "broccoli": ("broccolis",),
    "hair drier": ("hair driers", "hair dryers"),
    "computer mouse": ("computer mice", "computer mouses"),
    "mouse": ("mice", "mouses"),
    "bus": ("buses", "busses"),
    "tv": ("tvs", "tv's", "tv sets"),
    "skis": ("skis", "pairs of skis"),
    "scissors": ("scissors", "pairs of scissors"),
    "cattle": ("cattle",),
    "goose": ("geese",),
    "ox": ("oxen",),
    "calf": ("calves",),
    "wolf": ("wolves",),
    "shelf": ("shelves",),
    "leaf": ("leaves",),
    "foot": ("feet",),
    "tooth": ("teeth",),
    "fish": ("fish", "fishes"),
    "deer": ("deer",),
    "cactus": ("cacti", "cactuses"),
    "cupcake": ("cupcakes",),
    "luggage": ("luggage",),
    "baggage": ("baggage",),
}

# Nouns whose written form is the same in singular and plural: a number decides.
INVARIANT_NOUNS: frozenset[str] = frozenset(
    {"sheep", "skis", "scissors", "deer", "fish", "cattle", "luggage", "baggage", "broccoli", "shears",
     "clippers", "series", "species", "aircraft"}
)

# Which words are colours, and the GenEval colour each one stands for. GenEval's ten map to
# themselves; shades map to their family so that paraphrases ("crimson car") still compare
# with GenEval metadata. Colours outside the ten (gray) keep their own name.
GENEVAL_COLORS: tuple[str, ...] = ("red", "orange", "yellow", "green", "blue", "purple", "pink",
                                   "brown", "black", "white")
COLOR_WORDS: dict[str, str] = {c: c for c in GENEVAL_COLORS}
COLOR_WORDS.update({
    "crimson": "red", "scarlet": "red", "maroon": "red", "burgundy": "red", "ruby": "red",
    "cherry": "red", "vermilion": "red", "carmine": "red", "reddish": "red", "rust": "red",
    "tangerine-colored": "orange", "amber": "orange", "apricot": "orange", "orangish": "orange",
    "orangey": "orange", "coral": "orange", "peach": "orange", "ginger": "orange",
    "golden-yellow": "yellow", "lemon": "yellow", "mustard": "yellow", "canary": "yellow",
    "yellowish": "yellow",
    "lime": "green", "olive": "green", "emerald": "green", "jade": "green", "mint": "green",
    "teal": "green", "greenish": "green", "chartreuse": "green", "sage": "green", "khaki": "green",
    "navy": "blue", "azure": "blue", "cobalt": "blue", "cyan": "blue", "turquoise": "blue",
    "aqua": "blue", "sapphire": "blue", "indigo": "blue", "bluish": "blue", "cerulean": "blue",
    "violet": "purple", "lavender": "purple", "lilac": "purple", "magenta": "purple",
    "plum": "purple", "mauve": "purple", "purplish": "purple", "amethyst": "purple",
    "rose": "pink", "fuchsia": "pink", "salmon": "pink", "pinkish": "pink", "rosy": "pink",
    "beige": "brown", "tan": "brown", "chocolate": "brown", "coffee": "brown", "chestnut": "brown",
    "caramel": "brown", "bronze-colored": "brown", "brownish": "brown", "taupe": "brown",
    "sepia": "brown", "mahogany": "brown", "hazel": "brown", "auburn": "brown",
    "ebony": "black", "jet-black": "black", "onyx": "black", "blackish": "black",
    "charcoal": "gray",  # (docs/scene_graph_conventions.md: "grey, charcoal -> gray")
    # ("snowy" is no colour: first "covered with snow", "a snowy cabin" is not a white one)
    "ivory": "white", "cream": "white", "snow-white": "white", "pearl": "white",
    "whitish": "white", "alabaster": "white", "milky": "white", "off-white": "white",
    "gray": "gray", "grey": "gray", "greyish": "gray", "grayish": "gray",
    "ash": "gray",
    # shade names product listings use on their own ("Wool fedora, camel, grosgrain band"); as a
    # noun with an article they stay the thing ("a camel in the desert", "a mug of mocha")
    "camel": "brown", "mocha": "brown", "blush": "pink", "oxblood": "red",
})

# Colour modifiers kept as free adjectives ("light blue" -> blue + "light").
COLOR_SHADES: frozenset[str] = frozenset(
    {"light", "dark", "bright", "pale", "deep", "vivid", "pastel", "neon", "dull", "muted", "rich",
     "hot", "royal", "matte"})

# Words naming what something is made of (metallic words are materials, not colours),
# mapped to the adjective form the graph stores.
MATERIAL_WORDS: dict[str, str] = {
    "wooden": "wooden", "wood": "wooden", "timber": "wooden", "oak": "wooden", "pine": "wooden",
    "metal": "metal", "metallic": "metal", "steel": "steel", "stainless": "steel", "iron": "iron",
    "aluminum": "aluminium", "aluminium": "aluminium", "chrome": "chrome", "tin": "tin",
    "silver": "silver", "silvery": "silver", "gold": "golden", "golden": "golden", "gilded": "golden",
    "brass": "brass", "bronze": "bronze", "copper": "copper",
    "plastic": "plastic", "glass": "glass", "crystal": "crystal", "ceramic": "ceramic",
    "porcelain": "porcelain", "china": "porcelain", "clay": "clay", "terracotta": "terracotta",
    "stone": "stone", "marble": "marble", "granite": "granite", "concrete": "concrete",
    "slate": "slate",  # a rock like marble: "a slate board" is no colour ("slate gray" is gray)
    "brick": "brick", "leather": "leather", "paper": "paper", "cardboard": "cardboard",
    "fabric": "fabric", "cloth": "fabric", "cotton": "cotton", "wool": "woollen", "woolen": "woollen",
    "woollen": "woollen", "knitted": "knitted", "velvet": "velvet", "silk": "silk", "denim": "denim",
    "rubber": "rubber", "wicker": "wicker", "rattan": "rattan", "bamboo": "bamboo", "straw": "straw",
    "plush": "plush", "felt": "felt", "ice": "ice", "icy": "ice", "chocolate-covered": "chocolate",
    "lego": "lego", "origami": "paper", "jade-stone": "jade", "carbon": "carbon", "vinyl": "vinyl",
}

SIZE_WORDS: frozenset[str] = frozenset(
    {"small", "tiny", "little", "big", "large", "huge", "giant", "gigantic", "enormous", "massive",
     "miniature", "mini", "tall", "short", "long", "wide", "narrow", "medium", "medium-sized",
     "oversized", "colossal", "immense", "petite", "teeny", "itty-bitty", "minuscule", "jumbo",
     "mammoth", "towering", "compact", "full-size", "full-sized", "life-size", "large-sized",
     "small-sized", "mid-sized", "vast", "wee", "baby-sized", "pocket-sized"})

# Adjectives the parser recognises even before it sees a noun (so "fluffy" can start a noun
# phrase without an article). Unknown words are still accepted as adjectives inside a phrase.
COMMON_ADJECTIVES: frozenset[str] = frozenset(
    {"fluffy", "furry", "shiny", "old", "new", "young", "cute", "adorable", "happy", "sad",
     "angry", "sleepy", "sleeping", "running", "vintage", "antique", "modern", "rusty", "broken",
     "clean", "dirty", "wet", "dry", "fresh", "ripe", "rotten", "sliced", "half-eaten", "empty",
     "full", "round", "square", "rectangular", "striped", "spotted", "polka-dotted", "checkered",
     "plaid", "soft", "hard", "smooth", "rough", "fancy", "elegant", "simple", "plain", "ornate",
     "beautiful", "pretty", "ugly", "lovely", "majestic", "wild", "domestic", "playful", "curious",
     "friendly", "lone", "single", "solitary", "lonely", "shaggy", "sleek", "glossy", "matte",
     "transparent", "clear", "colorful", "colourful", "bright", "dark", "light", "pale", "vivid",
     "vibrant", "faded", "worn", "weathered", "tattered", "sturdy", "delicate", "heavy", "fat",
     "thin", "skinny", "chubby", "slim", "electric", "digital", "classic", "retro", "toy",
     "realistic", "cartoon", "red-and-white", "black-and-white", "stuffed", "hairy", "spotty",
     "graceful", "proud", "tired", "hungry", "lazy", "alert", "quiet", "noisy"})

# GenEval's ten number words and beyond; digits are read directly.
NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "single": 1, "lone": 1, "solitary": 1, "pair": 2, "couple": 2, "both": 2, "twin": 2,
    "twins": 2, "trio": 3, "triple": 3, "quartet": 4, "dozen": 12, "half-dozen": 6,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000,
}

# Quantifier nouns followed by "of": the real object follows them ("a herd of zebras"). Value:
# the count they imply, or None when the plural noun after them decides.
QUANTIFIER_NOUNS: dict[str, int | None] = {
    "pair": 2, "couple": 2, "trio": 3, "quartet": 4, "dozen": 12, "group": None, "herd": None,
    "flock": None, "bunch": None, "set": None, "pack": None, "row": None, "line": None,
    "stack": None, "pile": None, "collection": None, "number": None, "cluster": None,
    "team": None, "pairs": None, "crowd": None, "family": None, "litter": None, "school": None, "fleet": None,
    "bundle": None, "heap": None, "handful": None, "series": None, "slice": 1, "piece": 1,
    "batch": None, "assortment": None, "selection": None, "variety": None,
    "swarm": None, "gaggle": None, "troop": None, "colony": None, "lineup": None, "array": None,
    "few": 3, "several": 3, "lot": None, "lots": None, "bowlful": None, "serving": None, "bouquet": None,
    "armful": None, "basketful": None,
    "stalk": 1, "head": 1, "sprig": 1, "wedge": 1, "chunk": 1, "scoop": 1, "portion": 1, "helping": 1,
    "loaf": 1, "sprinkle": None, "pinch": None, "dash": None, "drizzle": None, "dollop": None,
    "pat": 1, "dusting": None, "sprinkling": None, "clump": None, "spray": None, "tower": None,
    "mountain": None,
}

# Groups of people counted by their members: "a family of four" is four people.
PEOPLE_GROUPS: frozenset[str] = frozenset({"family", "team", "crew", "group", "couple", "trio", "quartet", "band",
                                           "party", "gang", "troop", "class"})

# Determiners and what they say about reference: indefinite ones introduce a new object,
# definite ones may point back at one already mentioned.
INDEFINITE_DETERMINERS: frozenset[str] = frozenset({"a", "an", "some", "any", "another", "several",
                                                    "many", "few", "various", "multiple", "numerous"})
DEFINITE_DETERMINERS: frozenset[str] = frozenset({"the", "this", "that", "these", "those", "its",
                                                  "their", "his", "her", "my", "your", "our", "each",
                                                  "every", "both", "said", "same"})
# Counts implied by vague quantity words when no number is given.
VAGUE_COUNTS: dict[str, int] = {"several": 3, "few": 3, "many": 5, "multiple": 2, "numerous": 5,
                                "various": 3, "some": 2}

PRONOUNS_SINGULAR: frozenset[str] = frozenset({"it", "itself"})
PRONOUNS_PLURAL: frozenset[str] = frozenset({"they", "them", "themselves"})
# Pronouns that point back at a person (or an animal named as one): "a pot behind him".
PRONOUNS_PERSON: frozenset[str] = frozenset({"he", "him", "himself", "she", "herself"})
POSSESSIVE_PRONOUNS: frozenset[str] = frozenset({"its", "their", "his", "her"})
# What kind of owner each possessive pronoun points at ("it" a thing, "they" a group, "person").
POSSESSIVE_KINDS: dict[str, str] = {"its": "it", "their": "they", "his": "person", "her": "person"}

# Which nouns outside the classes are objects to draw. Three kinds of noun never are in an
# ordinary parse, and together they make SETTING_NOUNS: words about the picture itself, about
# abstractions, and about the place around the objects. A prompt that names nothing else ("a
# sunset over the sea") still gets its place words drawn; the picture and abstract words are
# never drawn ("a photo of" names nothing).

# The picture, its qualities, the places inside it, the light and the time of day.
PICTURE_NOUNS: frozenset[str] = frozenset({
    "photo", "photograph", "photography", "picture", "pic", "image", "shot", "snapshot", "snap",
    "view", "close-up", "closeup", "close", "scene", "render", "rendering", "illustration",
    "drawing", "painting", "sketch", "depiction", "portrait", "artwork", "art", "frame",
    "composition", "photorealistic", "camera", "lens", "canvas", "poster", "print", "still",
    "screenshot", "capture", "style", "background", "foreground", "backdrop", "setting",
    "depth", "field", "focus", "detail", "details", "quality", "resolution", "lighting", "light",
    "sunlight", "daylight", "moonlight", "shadow", "shadows", "shade", "glow", "atmosphere",
    "mood", "color", "colour", "colors", "colours", "tone", "tones", "texture", "angle",
    "perspective", "center", "centre", "middle", "side", "sides", "left", "right", "top",
    "bottom", "front", "back", "corner", "edge", "half", "part", "area", "space", "spot",
    "position", "place", "location", "distance", "environment", "surroundings", "vicinity", "row",
    "dawn", "dusk", "night", "day", "morning", "afternoon", "evening", "noon", "midday", "weather",
    "summer", "winter", "spring", "autumn", "fall", "season", "time", "moment", "sunshine",
})

# Abstractions, mostly after "of" ("the shape of", "a splash of colour").
ABSTRACT_NOUNS: frozenset[str] = frozenset({
    "shape", "shapes", "size", "form", "pattern", "design", "rest", "remainder", "splash", "pop",
    "amount", "variety", "range", "hue", "shades", "silhouette", "reflection", "glimpse",
    "kind", "type", "sort", "way", "manner", "bit", "sense", "feeling", "hint", "touch",
})

# The place: backgrounds, surfaces, rooms, landscapes, sky and water, weather one can see,
# masses of vegetation. Paraphrases add them as decoration ("in a sunny park", "on the grass",
# "under a blue sky", "on a wooden floor"); table-top things that are GenEval classes (table,
# bench) are not here, the surfaces that are not (counter, desk, plate, tray) are.
PLACE_NOUNS: frozenset[str] = frozenset({
    "surface", "ground", "floor", "wall", "walls", "ceiling", "sky", "air", "horizon",
    "park", "garden", "yard", "backyard", "lawn", "grass", "meadow", "forest", "woods", "jungle",
    "beach", "shore", "sand", "sea", "ocean", "lake", "river", "pond", "water", "waves", "wave",
    "street", "road", "avenue", "boulevard", "sidewalk", "pavement", "city", "town", "village", "countryside",
    "farm", "pasture", "desert", "mountain", "mountains", "hill", "hills", "valley",
    "snow", "ice rink", "room", "kitchen", "bedroom", "bathroom", "office", "studio",
    "home", "interior", "exterior", "hallway", "corridor", "restaurant", "cafe",
    "café", "shop", "store", "market", "station", "airport", "harbor", "harbour", "port",
    "dock", "pier", "parking", "lot", "stop", "depot", "terminal", "garage", "stall",
    "highway", "intersection", "crosswalk", "square", "plaza", "curb", "kerb", "roadside", "hillside",
    "zoo", "savanna", "savannah", "grassland", "landscape", "cityscape", "skyline", "world", "earth", "land",
    "universe", "outdoors", "indoors", "outside", "inside", "nature",
    "tiles",
    "tile", "tiles", "stage", "arena", "court", "stadium", "slope", "slopes", "trail", "path",
    "track", "tracks", "rail", "rails", "runway", "tarmac", "lane", "alley", "sunset",
    "sunrise", "rain", "fog", "mist", "clouds", "cloud",
    "branches", "leaves", "foliage", "pebbles", "weeds", "vines",
    "wildflowers", "greenery", "petals", "twigs", "moss",
})

SETTING_NOUNS: frozenset[str] = PICTURE_NOUNS | ABSTRACT_NOUNS | PLACE_NOUNS

# Light and air: "a beam of light", "a wisp of smoke" names no thing.
LIGHT_NOUNS: frozenset[str] = frozenset({"light", "sunlight", "moonlight", "lamplight", "firelight", "candlelight",
                                         "starlight", "daylight", "sun", "shadow", "shadows", "mist", "fog", "smoke",
                                         "steam", "haze", "dust", "color", "colour", "glow"})

# Picture words whose "of" introduces what is depicted ("a photo of a castle"), unlike a
# quality's "of" ("the glow of the setting sun"), which introduces a detail.
DEPICTION_NOUNS: frozenset[str] = frozenset({
    "photo", "photograph", "photography", "picture", "pic", "image", "shot", "snapshot", "snap", "view",
    "close-up", "closeup", "close", "scene", "render", "rendering", "illustration", "drawing", "painting",
    "sketch", "depiction", "portrait", "artwork", "art", "poster", "print", "still", "screenshot", "capture",
})
NEVER_DRAWN_NOUNS: frozenset[str] = PICTURE_NOUNS | ABSTRACT_NOUNS

# Picture words that say what the picture holds, drawn when a prompt names nothing else ("a
# portrait in the style of Picasso", "an abstract painting", "a religious scene"); a portrait
# shows a person.
PORTRAIT_NOUNS: frozenset[str] = frozenset({"portrait", "self-portrait", "headshot", "selfie"})
CONTENT_PICTURE_NOUNS: frozenset[str] = PORTRAIT_NOUNS | frozenset({
    "painting", "drawing", "sketch", "illustration", "artwork", "art", "scene", "poster", "canvas",
    "camera", "lens", "field", "shape", "shapes", "pattern", "design", "silhouette", "reflection",
})

# Drawable things that paraphrases also use as scenery: "a dog resting under a tree", "a boat
# under the stars". They are objects like any other noun outside the classes ("a tree next to
# a house", "two stars above the moon"), except after a sheltering phrase (under, beneath, at
# the foot of), where they are read as the setting. Singular forms.
LANDSCAPE_OBJECTS: frozenset[str] = frozenset({
    "tree", "palm", "oak", "pine", "bush", "shrub", "hedge", "flower", "rock", "boulder",
    "sun", "moon", "star", "house", "building", "cottage", "hut", "cabin", "barn",
})

# Kinship words: "its mother", "their babies" after an animal name an animal of the same kind.
KIN_NOUNS: frozenset[str] = frozenset({"mother", "father", "parent", "mom", "dad", "mama", "papa", "sibling", "brother",
                                       "sister", "baby", "babies", "offspring", "young", "child", "mate", "twin",
                                       "family", "calf", "calves", "cub", "cubs", "foal", "pup", "pups", "chick",
                                       "chicks", "kitten", "kittens", "puppy", "puppies", "lamb", "lambs", "joey"})


# Things there is only one of: "the moon" introduces an object, where "the wall" points at
# the setting.
UNIQUE_NOUNS: frozenset[str] = frozenset({"sun", "moon"})

# Nouns for everything there is: after a superlative ("the largest mammal on the planet", "the
# most used currency in the world") they name the domain of the ranking, not a place to draw.
WHOLE_WORLD_NOUNS: frozenset[str] = frozenset({"world", "planet", "earth", "universe", "globe"})

# Prepositions that attach a noun to something else without making a spatial relation the
# graph records; a non-class noun after them is a detail (a collar, a park), not an object.
ATTACHING_PREPOSITIONS: frozenset[str] = frozenset(
    {"with", "of", "at", "from", "for", "by", "through", "across", "along", "among", "amongst",
     "around", "against", "during", "toward", "towards", "like", "without", "into", "onto", "off",
     "about", "past", "via", "amid", "amidst", "mid", "throughout", "under the shade of", "beyond", "outside", "than", "as", "per", "to", "between"})

# Words that end a clause: after them a relation phrase starts a new statement.
CLAUSE_BREAKERS: frozenset[str] = frozenset(
    {"and", "while", "whereas", "but", "which", "where", "who", "whose", "that", "then", "plus", "versus",
     "also", "meanwhile", "whilst", "so", "or", "nor", "yet"})

# Verbs, auxiliaries and adverbs that carry no scene content. Unknown words outside a noun
# phrase are skipped anyway; these are listed so they also end a noun phrase.
FILLER_WORDS: frozenset[str] = frozenset({
    "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "having",
    "do", "does", "did", "can", "could", "will", "would", "shall", "should", "may", "might",
    "must", "there", "here", "we", "you", "i", "one's", "see", "sees", "seen", "shows", "show",
    "showing", "shown", "depicts", "depicting", "depicted", "features", "featuring", "featured",
    "includes", "including", "contains", "containing", "displays", "displaying", "displayed",
    "presents", "presenting", "captures", "capturing", "captured", "appears", "appear",
    "appearing", "visible", "sits", "sit", "sitting", "seated", "stands", "stand", "standing",
    "hangs", "hang", "hanging", "hung", "lies", "lie", "lying", "laid", "lays", "rests", "rest",
    "resting", "placed", "place", "places", "placing", "positioned", "located", "situated",
    "set", "perched", "perches", "parked", "floats", "floating", "float", "hovers", "hover",
    "hovering", "flies", "fly", "flying", "soars", "soaring", "leans", "leaning", "lean",
    "waits", "waiting", "looks", "looking", "look", "watching", "watches", "watch", "grazes",
    "grazing", "walks", "walking", "runs", "running", "plays", "playing", "sleeps", "sleeping",
    "stays", "staying", "remains", "remaining", "mounted", "arranged", "lined", "lines",
    "spread", "scattered", "gathered", "grouped", "clustered", "stacked", "piled", "propped",
    "balanced", "balancing", "suspended", "dangling", "dangles", "sticking", "poking", "peeking",
    "peeks", "pictured", "found", "kept", "stored", "left", "lit", "shining", "shines",
    "illuminated", "bathed", "surrounded", "framed", "filled", "covered", "topped", "made",
    "painted", "colored", "coloured", "dyed", "tinted", "shaded", "decorated", "adorned",
    "just", "directly", "immediately", "slightly", "right", "exactly", "only", "very", "quite",
    "really", "rather", "fairly", "somewhat", "so", "too", "also", "nearby", "together", "up",
    "down", "out", "away", "high", "low", "clearly", "neatly", "gently", "prominently",
    "proudly", "quietly", "calmly", "peacefully", "happily", "lazily", "casually", "carefully",
    "firmly", "perfectly", "precisely", "squarely", "partly", "partially", "fully", "mostly",
    "a", "an", "the", "in", "on", "not", "no", "almost", "nearly", "roughly", "approximately",
    "about", "around", "sharp", "detailed", "realistic", "photorealistic", "highly",
    "high-quality", "hd", "4k", "8k", "ultra", "professional", "cinematic", "studio-quality",
    "sharply", "softly", "brightly", "dimly", "vividly", "beautifully", "well", "nicely",
    "seems", "seem", "exists", "exist", "stood", "sat", "lay", "rested",
    "what", "how", "when", "why", "if", "because", "since", "such", "other", "else", "each",
    "everything", "something", "nothing", "anything", "all", "own", "much", "more", "most",
    "less", "least", "same", "another", "either", "neither", "whole",
})

# Words that mark the end of one description and the start of an unrelated phrase; a noun
# phrase never runs across them.
HARD_BOUNDARIES: frozenset[str] = frozenset({",", ";", ":", "(", ")", "\"", "and", "or", "but", "&"})

# Parts whose colour is the colour of the whole object ("a cow with blue fur", "a car whose
# paint is red"): their colour and material are given to the object they belong to.
COLOUR_BEARING_PARTS: frozenset[str] = frozenset(
    {"fur", "coat", "hide", "skin", "feather", "feathers", "plumage", "paint", "paintwork", "finish",
     "body", "bodywork", "exterior", "shell", "peel", "rind", "surface", "frame", "casing", "case",
     "cover", "upholstery", "fabric", "wool", "fleece", "deck", "glaze", "coating", "icing",
     "frosting", "crust", "petals", "leaves", "canopy", "hair", "mane", "stripe", "stripes",
     "spot", "spots", "pattern", "hull", "walls", "wall"})

# Words that name a class in everyday use but something else in some company: the surface
# form, the name used instead, and the neighbouring words that signal the other sense
# ("a field mouse" is the animal, "a pair of glasses" are spectacles).
OTHER_SENSES: dict[str, tuple[str, frozenset[str]]] = {
    "mouse": ("mouse", frozenset({"field", "furry", "fluffy", "house", "wild", "baby", "cartoon",
                                  "little", "grey", "gray", "brown", "white", "lab", "pet", "squeaking",
                                  "hungry", "scared", "cute", "tiny"})),
    "mice": ("mouse", frozenset({"field", "furry", "fluffy", "house", "wild", "baby", "cartoon", "little",
                                 "grey", "gray", "brown", "white", "lab", "pet", "cute", "tiny"})),
    "bat": ("bat", frozenset({"flying", "vampire", "fruit", "sleeping", "hanging", "furry", "black", "cave"})),
    "bats": ("bat", frozenset({"flying", "vampire", "fruit", "sleeping", "hanging", "furry", "cave"})),
    "glasses": ("glasses", frozenset({"pair", "reading", "sun", "eye", "round", "thick", "rimmed"})),
    "ram": ("ram", frozenset({"computer", "memory"})),
}

_ANIMALS = ("bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "mouse",
            "bat", "person")
_VEHICLES = ("bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat")
_FOODS = ("banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake")
# General words a description uses to point back at an object already named ("a kitten ...
# the animal", "a sedan ... the vehicle"): the classes each may refer to; None: any object.
HYPERNYMS: dict[str, tuple[str, ...] | None] = {
    "animal": _ANIMALS, "creature": _ANIMALS, "pet": _ANIMALS, "beast": _ANIMALS, "mammal": _ANIMALS,
    "vehicle": _VEHICLES, "automobile": ("car", "truck", "bus"), "transport": _VEHICLES,
    "fruit": ("banana", "apple", "orange"), "vegetable": ("broccoli", "carrot"), "veggie": ("broccoli", "carrot"),
    "food": _FOODS, "dish": _FOODS, "snack": _FOODS, "treat": _FOODS, "meal": _FOODS, "dessert": ("cake", "donut"),
    "appliance": ("microwave", "oven", "toaster", "refrigerator", "sink", "hair drier", "tv"),
    "device": ("cell phone", "laptop", "tv", "tv remote", "computer mouse", "computer keyboard", "hair drier",
               "clock", "microwave", "toaster"),
    "gadget": ("cell phone", "laptop", "tv remote", "computer mouse", "computer keyboard"),
    "electronics": ("cell phone", "laptop", "tv", "tv remote", "computer mouse", "computer keyboard"),
    "furniture": ("chair", "couch", "bed", "dining table", "bench"),
    "toy": ("teddy bear", "kite", "frisbee", "sports ball"),
    "utensil": ("fork", "knife", "spoon"), "cutlery": ("fork", "knife", "spoon"),
    "container": ("bottle", "cup", "bowl", "vase", "suitcase", "backpack", "handbag"),
    "bag": ("backpack", "handbag", "suitcase"),
    "instrument": ("tennis racket", "baseball bat", "scissors", "toothbrush"),
    "object": None, "item": None, "thing": None, "subject": None,
}

# Verbs common in scene descriptions, as base forms; the parser also knows their -s, -ing
# and -ed forms. An unknown word that is one of these ends a noun phrase ("a white coat
# gallops", "a stone statue glistening"), so it is not mistaken for the noun.
SCENE_VERBS: frozenset[str] = frozenset("""
walk run gallop graze drive fly swim jump leap sleep rest sit stand lie hang hover float lean perch wait
look watch stare gaze play eat drink hold carry rise shine glow reflect cast fill cover surround frame
overlook face border line dot dominate occupy appear seem remain stay pass cross move roll glide soar
dance sway bloom grow climb crawl swing splash spin stretch reach peek poke nestle curl lounge relax bask
nap doze chew nibble sniff bark meow chirp sing ride pull push tow wear balance dangle drape spill pour
stick protrude loom tower sprawl huddle gather cluster await greet catch throw kick hit fetch chase follow
lead guide park gleam sparkle glisten shimmer twinkle fade blend contrast complement accent add bring give
create make form show display feature capture depict include contain sway wander roam trot prance stroll
hop skip bounce slide drift sail cruise speed race zoom rush hurry pause linger hide emerge sprout
point tilt rotate turn bend kneel crouch squat pose smile laugh wave nod hug cuddle snuggle lick bite
peer glance observe admire enjoy share serve offer await occupy decorate adorn accompany flank top
support block lean prop rest settle sink tower frame illuminate light brighten darken shade rock set
""".split())

# Things other things are served on rather than in: "a plate of cookies" puts the cookies on it.
# (Containers proper come from WordNet: "a basket of bread", "a jar of honey".)
SERVING_SURFACES: frozenset[str] = frozenset({"plate", "platter", "tray", "dish", "saucer", "board",
                                              "cutting board", "chopping board", "stand"})

# Verbs that say how the picture shows something, or link a subject to a description, rather
# than what one object does to another: "a photo showing a cat" relates nothing. Lemmas.
NON_ACTION_VERBS: frozenset[str] = frozenset("""
be have show depict feature include contain capture display present see make create add cast give
fill cover surround frame showcase highlight illustrate portray represent evoke convey complement
contrast accent dominate occupy form emphasize emphasise suggest reflect measure weigh resemble set
place position locate situate arrange line use take render paint color colour dye tint
decorate adorn top bathe light illuminate lend offer provide bring enhance create depict seem appear
look become remain stay call name describe imagine picture shoot photograph draw sketch style
feel evoke invite match mirror echo
""".split())

# Verbs that take no object: a noun phrase after one is its subject in an inverted sentence
# ("Above the sofa hangs a round clock") or a complement ("lies flat"), never what it acts on.
INTRANSITIVE_VERBS: frozenset[str] = frozenset("""
stand sit lie hang float hover rest perch sleep nap lean loom tower glide soar lay sprawl nestle
stretch dangle bask lounge doze kneel crouch squat wait rise shine glow gleam sparkle glisten
shimmer twinkle sway drift linger emerge sprout bloom grow stay remain live dwell exist
""".split())

# Particles that stay with an action verb: "looking at", "playing with", "talking to".
ACTION_PARTICLES: frozenset[str] = frozenset({"at", "with", "to", "for", "into", "toward", "towards"})

# Words after a measurement that say what was measured: "150 centimeters in length", "two feet tall".
MEASURE_DIMENSIONS: frozenset[str] = frozenset({"long", "tall", "wide", "high", "deep", "thick", "old",
                                                "across", "away", "apart", "heavy", "large", "big"})
# Units WordNet does not list as units first: abbreviations ("a 12 oz jar", "750 ml") and
# "degree" ("a 360-degree swivel").
UNIT_ABBREVIATIONS: frozenset[str] = frozenset({"oz", "ml", "cl", "dl", "cm", "mm", "km", "kg", "mg", "lb", "lbs", "ft",
                                                "yd", "mph", "kph", "hr", "hrs", "min", "mins", "sec", "secs", "gal",
                                                "qt", "pt", "kb", "mb", "gb", "tb", "mp", "w", "kw", "v", "mah",
                                                "degree", "degrees", "percent"})
MEASURE_NOUNS: frozenset[str] = frozenset({"length", "height", "width", "diameter", "depth", "size",
                                           "circumference", "radius", "thickness", "weight", "total"})

# Chat shorthand that asides carry and that names nothing: "my dog refuses to get out lol".
# Removed before reading; an abbreviation that stands for words ("w/") is spelled out instead.
CHAT_INTERJECTIONS: frozenset[str] = frozenset({"lol", "lmao", "lmfao", "rofl", "omg", "omfg", "haha", "hahaha",
                                                "hehe", "tbh", "imo", "imho", "btw", "smh", "fyi", "ikr", "idk",
                                                "pls", "plz", "xoxo"})
CHAT_ABBREVIATIONS: dict[str, str] = {"w/o": "without", "w/": "with", "b/c": "because", "thru": "through",
                                      "'n'": "and", "n'": "and"}
