import { useTranslations } from "next-intl";
import { Spinner } from "@/components/ui";

/**
 * Shown inside the signed-in layout while the dashboard's server work (database, Bitrix24) runs. Not at the group
 * level on purpose: a loading boundary streams the page, so the doctor's forbidden() could no longer answer 403.
 */
export default function Loading() {
  const t = useTranslations("dashboard");
  return <Spinner label={t("loading")} showLabel />;
}
