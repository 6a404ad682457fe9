/**
 * Plausible, entirely fictional CRM data for screenshots and demos (PortalSeed.demoData, `--demo-data`): deal
 * titles such as "Website redesign — Nordwind Logistics" and contacts with matching first and last names, a job
 * title and a work address at a reserved `.example` domain. Without the flag the seeds stay predictable from the
 * id (`Deal #<id>`), which tests rely on.
 */
const WORK = [
  "Website redesign", "Annual support contract", "CRM onboarding", "Office furniture supply", "Spring catalogue print run",
  "Cloud backup plan", "Trade fair stand", "Fleet tracking pilot", "Staff training days", "Warehouse shelving",
  "Loyalty card programme", "Video production", "Product manual translation", "Security audit",
];
const CLIENTS = [
  "Nordwind Logistics", "Blue Harbor Foods", "Kessler & Sons", "Altamira Studio", "Polar Bakery", "Vetrov Engineering",
  "Greenline Pharmacy", "Brightwater Hotels", "Orion Print House", "Lindenhof Clinic", "Amber Coast Textiles",
  "Sunrise Dental", "Falkenberg Motors", "Silver Birch Realty", "Moreau Wines",
];
const WOMEN = ["Anna", "Clara", "Elena", "Galina", "Irina", "Sofia", "Marta", "Julia", "Olga", "Laura", "Katrin", "Natalia"];
const MEN = ["Boris", "Dmitri", "Felix", "Hans", "Jonas", "Pavel", "Lukas", "Marco", "Tomas", "Victor", "Andrei", "Stefan"];
/** Family names as [man's form, woman's form]. */
const FAMILIES: Array<[string, string]> = [
  ["Schmidt", "Schmidt"], ["Ivanov", "Ivanova"], ["Novak", "Novak"], ["Rossi", "Rossi"], ["Kowalski", "Kowalska"],
  ["Volkov", "Volkova"], ["Weber", "Weber"], ["Smirnov", "Smirnova"], ["Horvat", "Horvat"], ["Dubois", "Dubois"],
  ["Lindqvist", "Lindqvist"], ["Meyer", "Meyer"], ["Sokolov", "Sokolova"], ["Fischer", "Fischer"], ["Moreau", "Moreau"],
];
const POSTS = ["Sales manager", "Purchasing manager", "Managing director", "Office manager", "Head of marketing", "Accountant", null];

/** Deterministic pseudo-random index, so two runs show the same data. */
function pick(i: number, salt: number, n: number): number {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return Math.floor((x - Math.floor(x)) * n);
}

const domainOf = (client: string) => `${client.toLowerCase().replace(/&/g, "and").replace(/[^a-z]+/g, "-")}.example`;

export function demoDealTitle(id: number): string {
  return `${WORK[pick(id, 9, WORK.length)]} — ${CLIENTS[pick(id, 10, CLIENTS.length)]}`;
}

export function demoContact(id: number): { NAME: string; LAST_NAME: string; POST: string | null; email: string } {
  const woman = pick(id, 11, 2) === 0;
  const first = (woman ? WOMEN : MEN)[pick(id, 12, WOMEN.length)]!;
  const last = FAMILIES[pick(id, 13, FAMILIES.length)]![woman ? 1 : 0];
  const client = CLIENTS[pick(id, 14, CLIENTS.length)]!;
  return { NAME: first, LAST_NAME: last, POST: POSTS[pick(id, 15, POSTS.length)] ?? null, email: `${first}.${last}@${domainOf(client)}`.toLowerCase() };
}
