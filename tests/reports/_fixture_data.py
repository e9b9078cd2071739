"""Names in the report tests' warehouse, hostile ones included (HTML and ``</script>``)."""

XSS_SKILL = "<img src=x onerror=alert(1)>"
SCRIPT_TITLE = "Software Developers </script><script>alert(2)</script>"
SCRIPT_COMPANY = "Acme </script><b>Corp</b>"

BASE_SKILLS = [
    "Python",
    "SQL",
    "Microsoft Excel",
    "JavaScript",
    "Project Management",
    "Customer Service",
    "Data Analysis",
    "Machine Learning",
    "Docker",
    "Kubernetes",
    "Accounting",
    "Nursing Care",
    "Patient Care",
    "Forklift Operation",
    "Welding",
    "Sales",
    "Negotiation",
    "Tableau",
    "Power BI",
    "Java",
    "R",
    "Go",
    "Communication",
    "Scheduling",
    "Bookkeeping",
    "Inventory Management",
    "Cloud Computing",
    "Cybersecurity",
    "Spanish",
    XSS_SKILL,
]
OCCUPATIONS = [
    ("15-1252.00", SCRIPT_TITLE),
    ("15-2051.00", "Data Scientists"),
    ("13-2011.00", "Accountants and Auditors"),
    ("29-1141.00", "Registered Nurses"),
    ("41-2031.00", "Retail Salespersons"),
    ("53-7051.00", "Industrial Truck and Tractor Operators"),
    ("51-4121.00", "Welders, Cutters, Solderers, and Brazers"),
    ("43-4051.00", "Customer Service Representatives"),
]
REGIONS = ["North", "South", "East", "West", "Central"]
COMPANIES = [SCRIPT_COMPANY, "Globex", "Initech", "Umbrella Health"]
