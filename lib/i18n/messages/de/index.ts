import common from "./common.json";
import landing from "./landing.json";
import auth from "./auth.json";
import errors from "./errors.json";
import frame from "./frame.json";
import install from "./install.json";
import dashboard from "./dashboard.json";
import deals from "./deals.json";
import contacts from "./contacts.json";
import dealTab from "./dealTab.json";
import settings from "./settings.json";
import doctor from "./doctor.json";
import licence from "./licence.json";
import restLog from "./restLog.json";
import bucket from "./bucket.json";

/** Every namespace of this language; each namespace is one file so that teams edit apart. */
const messages = { common, landing, auth, errors, frame, install, dashboard, deals, contacts, dealTab, settings, doctor, licence, restLog, bucket };
export default messages;
